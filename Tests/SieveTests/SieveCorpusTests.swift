import Core
import Foundation
import Testing

@testable import Sieve

/// The differential corpus of `interop/data/sieve/cases.toml` (Pigeonhole's recorded outcomes, reviewed
/// against the RFCs; see docs/sieve-differences.md), run in process: every case must give what the
/// corpus expects of Posta (`posta_expect`, else Pigeonhole's `expect`), in the canonical form of
/// `interop/sieveref.py` `canonical()`.
@Suite("Sieve differential corpus (interop/data/sieve)")
struct SieveCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../interop/data/sieve").standardized

    /// The mailboxes the harness gives both sides.
    struct CorpusEnvironment: SieveEnvironment {
        func mailboxExists(_ name: String) async -> Bool {
            ["INBOX", "Archive", "Lists", "Lists.posta", "Junk"].contains(name)
        }
        func isDuplicate(_ id: String, seconds: Int) async -> Bool { false }
    }

    struct Case: Sendable, CustomStringConvertible {
        var fields: [String: ConfigNode]
        var description: String { string("id") ?? "?" }

        func string(_ key: String) -> String? {
            if case .string(let value) = fields[key] { return value }
            return nil
        }

        func integer(_ key: String) -> Int? {
            if case .integer(let value) = fields[key] { return value }
            return nil
        }

        func strings(_ key: String) -> [String]? {
            guard case .array(let items) = fields[key] else { return nil }
            return items.compactMap { if case .string(let value) = $0 { value } else { nil } }
        }

        func table(_ key: String) -> [String: String] {
            guard case .table(let entries) = fields[key] else { return [:] }
            var result: [String: String] = [:]
            for (name, value) in entries { if case .string(let file) = value { result[name] = file } }
            return result
        }
    }

    static let cases: [Case] = {
        let url = directory.appendingPathComponent("cases.toml")
        guard let text = try? String(contentsOf: url, encoding: .utf8), case .table(let root) = try? ConfigNode.parse(text),
            let list = root.first(where: { $0.key == "case" })?.value, case .array(let items) = list
        else { return [] }
        return items.compactMap { item in
            guard case .table(let entries) = item else { return nil }
            return Case(fields: Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }))
        }
    }()

    static func read(_ folder: String, _ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(folder).appendingPathComponent(name), encoding: .utf8))
            ?? ""
    }

    /// Lone LFs as CRLF, as `posta sieve test` reads a message file.
    static func crlf(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 0x0A, previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    /// Python's repr() of a string, as sieveref.py prints vacation subjects and reasons.
    static func pythonRepr(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\\(quote)"
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// Runs of control characters and "?" as one "?", none at the end (sieveref `_norm_reason`).
    static func reason(_ text: String) -> String {
        var out = ""
        var inRun = false
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar == "?" {
                if !inRun { out += "?" }
                inRun = true
            } else {
                out.unicodeScalars.append(scalar)
                inRun = false
            }
        }
        while out.hasSuffix("?") { out.removeLast() }
        return out
    }

    static func store(_ mailbox: String, _ flags: [String]) -> String {
        let folded = Set(flags.flatMap { $0.split(separator: " ").map { $0.lowercased() } }).sorted()
        let box = mailbox.uppercased() == "INBOX" ? "INBOX" : mailbox
        return "store \(box)" + (folded.isEmpty ? "" : " flags=" + folded.joined(separator: ","))
    }

    /// sieveref.py `canonical()`.
    static func canonical(_ result: SieveResult, script: String) -> [String] {
        guard result.runtimeError == nil else { return ["runtime-error"] }
        var out: [String] = []
        for action in result.actions {
            switch action {
            case .keep(let flags): out.append(store("INBOX", flags))
            case .fileinto(let mailbox, let flags, _): out.append(store(mailbox, flags))
            case .redirect(let address): out.append("redirect \(address)")
            case .reject(let text, let extended): out.append("\(extended ? "ereject" : "reject") \(reason(text))")
            case .discard: continue
            case .vacation(let vacation):
                var parts = ["seconds=\(vacation.seconds)", "subject=\(vacation.subject.map(pythonRepr) ?? "None")"]
                if let from = vacation.from { parts.append("from=\(from)") }
                if script.contains(":handle") { parts.append("handle=\(vacation.handle)") }
                var text = vacation.reason.replacingOccurrences(of: "\r\n", with: "\n")
                while text.hasPrefix("\n") { text.removeFirst() }
                while text.hasSuffix("\n") { text.removeLast() }
                parts.append("reason=\(pythonRepr(text))")
                out.append("vacation " + parts.joined(separator: " "))
            }
        }
        return out.sorted()
    }

    @Test("the corpus is there")
    func corpusFound() {
        #expect(Self.cases.count > 200)
    }

    @Test("every case gives the expected outcome", arguments: Self.cases)
    func run(_ corpusCase: Case) async throws {
        let script = Self.read("scripts", corpusCase.string("script") ?? "")
        let personal = corpusCase.table("includes").mapValues { Self.read("scripts", $0) }
        let global = corpusCase.table("global_includes").mapValues { Self.read("scripts", $0) }
        let compiled: SieveScript?
        var errors: [SieveDiagnostic] = []
        do {
            compiled = try SieveScript.compile(script) { name, location in
                location == .personal ? personal[name] : global[name]
            }
        } catch {
            compiled = nil
            errors = error.diagnostics
        }
        let expected: [String]
        if let posta = corpusCase.strings("posta_expect") {
            expected = posta
        } else if corpusCase.string("posta") != nil {
            return  // not comparable (reason in the corpus)
        } else if corpusCase.string("mode") == "check" || corpusCase.fields["expect_compiled"] == .boolean(false) {
            let compiles = corpusCase.fields["expect_compiled"] != .boolean(false)
            #expect((compiled != nil) == compiles, "\(errors)")
            return
        } else {
            expected = corpusCase.strings("expect") ?? []
        }
        guard let compiled else {
            Issue.record("does not compile: \(errors)")
            return
        }
        let spam = corpusCase.integer("spam")
        let virus = corpusCase.integer("virus")
        var head = ""
        if let spam { head += "X-Spamtest-Value: \(spam)\r\n" }
        if let virus { head += "X-Virustest-Value: \(virus)\r\n" }
        let message = Self.crlf(head + Self.read("messages", corpusCase.string("message") ?? ""))
        let context = SieveContext(
            envelope: SieveEnvelope(
                from: corpusCase.string("from") ?? "sender@example.com", to: corpusCase.string("to") ?? "recipient@example.org"),
            now: Date(), localZoneOffsetMinutes: 0, spamScore: spam, spamPercent: spam.map { $0 * 10 }, virusScore: virus,
            environment: CorpusEnvironment())
        let result = await compiled.run(SieveMessage(bytes: message), context)
        #expect(Self.canonical(result, script: script) == expected.sorted(), "\(result.runtimeError ?? "")")
    }
}
