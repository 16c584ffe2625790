import DNS
import Foundation
import PostaTestSupport

/// The RFC 7208 test suite as loaded from the JSON that `.ci/fetch-spf-suite` writes.
struct SPFSuite {
    struct Test {
        var name: String
        var host: String
        var mailfrom: String
        var helo: String
        /// One acceptable result, or several.
        var results: [String]
        var explanation: String?
    }

    struct Scenario {
        var description: String
        var zone: [String: [ZoneDNS.Entry]]
        var tests: [Test]
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `.ci/fetch-spf-suite` (which downloads only when the cache is missing) and loads
    /// the file it names.
    static func load() throws -> [Scenario] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("posta-spf-suite-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let script = root.appendingPathComponent(".ci/fetch-spf-suite").path
        let process = try ChildProcess(path: script, arguments: [], logPath: log.path)
        let status = process.waitForExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0, let path = output.split(separator: "\n").last.map(String.init) else {
            throw Invalid(description: "\(script) failed (wait status \(status)): \(output)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        guard let documents = json as? [[String: Any]] else { throw Invalid(description: "\(path): not a list of scenarios") }
        return try documents.map(scenario)
    }

    private static func scenario(_ document: [String: Any]) throws -> Scenario {
        let description = document["description"] as? String ?? "?"
        var zone: [String: [ZoneDNS.Entry]] = [:]
        for (name, records) in document["zonedata"] as? [String: [Any]] ?? [:] {
            zone[name] = try entries(records, of: name)
        }
        var tests: [Test] = []
        for (name, value) in document["tests"] as? [String: [String: Any]] ?? [:] {
            let results = (value["result"] as? [String]) ?? [(value["result"] as? String) ?? "?"]
            tests.append(
                Test(
                    name: name, host: value["host"] as? String ?? "", mailfrom: value["mailfrom"] as? String ?? "",
                    helo: value["helo"] as? String ?? "", results: results, explanation: value["explanation"] as? String))
        }
        return Scenario(description: description, zone: zone, tests: tests.sorted { $0.name < $1.name })
    }

    /// The suite's records for one name. Type SPF (99) is gone from RFC 7208 (§3.1, §14.1), so
    /// SPF records are not served as such; as the suite's header asks of drivers, they stand
    /// for TXT records at names that have no TXT entry (a TXT of "NONE" only blocks that).
    private static func entries(_ records: [Any], of name: String) throws -> [ZoneDNS.Entry] {
        var entries: [ZoneDNS.Entry] = []
        var spf: [ZoneDNS.Entry] = []
        var hasTXT = false
        for record in records {
            if record as? String == "TIMEOUT" {
                entries.append(.timeout)
                continue
            }
            guard let map = record as? [String: Any], let (type, value) = map.first else {
                throw Invalid(description: "\(name): unreadable record \(record)")
            }
            switch type {
            case "SPF": spf.append(.txt(try text(value)))
            case "TXT":
                hasTXT = true
                let text = try text(value)
                if text != "NONE" { entries.append(.txt(text)) }
            case "A", "AAAA":
                guard let text = value as? String, let address = IPAddress(text) else {
                    throw Invalid(description: "\(name): bad address \(value)")
                }
                entries.append(type == "A" ? .a(address) : .aaaa(address))
            case "MX":
                guard let pair = value as? [Any], pair.count == 2, let exchange = pair[1] as? String else {
                    throw Invalid(description: "\(name): bad MX \(value)")
                }
                entries.append(.mx(exchange.isEmpty ? "." : exchange))
            case "PTR": entries.append(.ptr(try text(value)))
            case "CNAME": entries.append(.cname(try text(value)))
            default: throw Invalid(description: "\(name): unknown record type \(type)")
            }
        }
        return hasTXT ? entries : entries + spf
    }

    /// A TXT record's text: one string, or its character-strings concatenated (RFC 7208 §3.3).
    private static func text(_ value: Any) throws -> String {
        if let string = value as? String { return string }
        if let strings = value as? [String] { return strings.joined() }
        throw Invalid(description: "unreadable text \(value)")
    }
}
