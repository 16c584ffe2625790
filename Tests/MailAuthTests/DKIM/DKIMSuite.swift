import Foundation
import PostaTestSupport

/// The DKIM test data of dkimpy and authheaders, as `.ci/fetch-dkim-suite` leaves it: the two
/// unpacked source distributions and `records.json`, the key records their test modules define
/// (module → function → DNS name → TXT text).
struct DKIMSuite {
    let root: URL
    let dkimpyData: URL
    let authheadersData: URL
    let records: [String: [String: [String: String]]]
    /// `arc.json`: the ARC messages and fields of the test modules (module → function → variable → text).
    let arc: [String: [String: [String: String]]]

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `.ci/fetch-dkim-suite` (which downloads only when the cache is missing) and loads
    /// what it names.
    static func load() throws -> DKIMSuite {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("posta-dkim-suite-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let script = repository.appendingPathComponent(".ci/fetch-dkim-suite").path
        let process = try ChildProcess(path: script, arguments: [], logPath: log.path)
        let status = process.waitForExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0, let path = output.split(separator: "\n").last.map(String.init) else {
            throw Invalid(description: "\(script) failed (wait status \(status)): \(output)")
        }
        let root = URL(fileURLWithPath: path)
        let folders = try FileManager.default.contentsOfDirectory(atPath: path)
        guard let dkimpy = folders.first(where: { $0.hasPrefix("dkimpy-") }),
            let authheaders = folders.first(where: { $0.hasPrefix("authheaders-") })
        else { throw Invalid(description: "\(path) lacks dkimpy-*/ or authheaders-*/") }
        let data = try Data(contentsOf: root.appendingPathComponent("records.json"))
        let records = try JSONDecoder().decode([String: [String: [String: String]]].self, from: data)
        let arc = try JSONDecoder().decode(
            [String: [String: [String: String]]].self, from: Data(contentsOf: root.appendingPathComponent("arc.json")))
        return DKIMSuite(
            root: root, dkimpyData: root.appendingPathComponent("\(dkimpy)/dkim/tests/data"),
            authheadersData: root.appendingPathComponent("\(authheaders)/authheaders/test"), records: records, arc: arc)
    }

    /// A file of dkimpy's data folder (`dkimpy:name`) or authheaders' test folder (`authheaders:name`).
    func file(_ reference: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(reference)))
    }

    func url(_ reference: String) -> URL {
        let (folder, name) = split(reference)
        return (folder == "authheaders" ? authheadersData : dkimpyData).appendingPathComponent(name)
    }

    func text(_ reference: String) throws -> String {
        String(decoding: try file(reference), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The key records of one `dnsfunc` table, `module:function`.
    func table(_ reference: String) throws -> [String: String] {
        let (module, function) = split(reference)
        guard let table = records[module]?[function] else { throw Invalid(description: "no key table \(reference)") }
        return table
    }

    private func split(_ reference: String) -> (String, String) {
        let parts = reference.split(separator: ":", maxSplits: 1).map(String.init)
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }
}
