import ArgumentParser
import Core
import Foundation
import Server
import Sieve

extension SieveCommand {
    /// What `check` and `test` print.
    struct Report: Encodable {
        var compiled: Bool
        var errors: [String]
        var actions: [[String: JSONValue]]?
        var runtimeError: String?

        enum CodingKeys: String, CodingKey {
            case compiled, errors, actions
            case runtimeError = "runtime_error"
        }
    }

    /// A JSON value in a report.
    enum JSONValue: Encodable {
        case string(String?)
        case strings([String])
        case bool(Bool)
        case int(Int)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .strings(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            }
        }
    }

    static func describe(_ action: SieveAction) -> [String: JSONValue] {
        switch action {
        case .keep(let flags): ["action": .string("keep"), "flags": .strings(flags)]
        case .fileinto(let mailbox, let flags, let create):
            ["action": .string("fileinto"), "mailbox": .string(mailbox), "flags": .strings(flags), "create": .bool(create)]
        case .redirect(let address): ["action": .string("redirect"), "address": .string(address)]
        case .discard: ["action": .string("discard")]
        case .reject(let reason, let extended):
            ["action": .string("reject"), "reason": .string(reason), "extended": .bool(extended)]
        case .vacation(let reply):
            [
                "action": .string("vacation"), "reason": .string(reply.reason), "subject": .string(reply.subject),
                "from": .string(reply.from), "seconds": .int(reply.seconds), "handle": .string(reply.handle),
                "mime": .bool(reply.mime), "addresses": .strings(reply.addresses),
            ]
        }
    }

    static func compile(_ text: String, account: String?, global: GlobalOptions) async throws -> Report {
        do {
            if let account {
                try await global.withSite { site in
                    try await site.sieve.check(accountID: try await SieveCommand.accountID(account, in: site), text: text)
                }
            } else {
                _ = try SieveScript.compile(text)
            }
            return Report(compiled: true, errors: [])
        } catch let error as SieveCompileError {
            return Report(compiled: false, errors: error.diagnostics.map(\.description))
        } catch SieveStorageError.invalidScript(let errors) {
            return Report(compiled: false, errors: errors)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that a script compiles (like sievec); with --account, its includes resolve to that account's.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The script file ('-': standard input).") var file: String
        @Option(help: "Resolve include :personal against this account's scripts.") var account: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let report = try await SieveCommand.compile(try SieveCommand.read(file), account: account, global: global)
            if json { return try Output.json(report) }
            for error in report.errors { print(error) }
            if !report.compiled { throw ExitCode(1) }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a script against a message and print the actions it would take (like sieve-test).",
            discussion: """
                Nothing is delivered or sent. Only INBOX and the --mailbox names exist (mailboxexists); no id is a \
                duplicate; the current date is now.
                """)
        @Argument(help: "The script file.") var script: String
        @Argument(help: "The message file (RFC 5322).") var message: String
        @Option(help: "The envelope sender ('' for the null sender).") var from = "sender@example.com"
        @Option(help: "The envelope recipient.") var to = "recipient@example.org"
        @Option(help: "The spamtest value, 0...10 (RFC 3685).") var spamScore: Int?
        @Option(help: "The virustest value, 0...5 (RFC 3685).") var virusScore: Int?
        @Option(help: "A mailbox that exists besides INBOX (repeatable).") var mailbox: [String] = []
        @Option(help: "Where include :personal finds NAME (as NAME.sieve).") var includeDir: String?
        @Option(help: "Where include :global finds NAME (as NAME.sieve).") var globalDir: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let text = try SieveCommand.read(script)
            guard let bytes = FileManager.default.contents(atPath: message) else { throw CLIError("cannot read \(message)") }
            var report: Report
            do {
                let (personal, global) = (includeDir, globalDir)
                let compiled = try SieveScript.compile(text) { name, location in
                    guard let folder = location == .personal ? personal : global else { return nil }
                    return FileManager.default.contents(atPath: folder + "/" + name + ".sieve").map {
                        String(decoding: $0, as: UTF8.self)
                    }
                }
                let context = SieveContext(
                    envelope: SieveEnvelope(from: from, to: to, originalTo: nil, auth: nil), now: Date(),
                    localZoneOffsetMinutes: 0, spamScore: spamScore, spamPercent: spamScore.map { $0 * 10 },
                    virusScore: virusScore, environment: OfflineEnvironment(mailboxes: Set(["INBOX"] + mailbox)))
                let parsed = SieveMessage(bytes: Self.crlf([UInt8](bytes)))
                let result = await compiled.run(parsed, context)
                report = Report(compiled: true, errors: [], actions: nil, runtimeError: result.runtimeError)
                if result.runtimeError == nil {
                    report.actions = result.actions.map { action in
                        var described = SieveCommand.describe(action)
                        // Whether delivery would really send it (RFC 5230 §4.5, RFC 3834 §2).
                        if case .vacation(let reply) = action {
                            let why = SieveVacation.responseBlocked(
                                message: parsed, envelope: context.envelope, ownAddresses: [to] + reply.addresses)
                            described["sent"] = .bool(why == nil)
                            described["why"] = .string(why)
                        }
                        return described
                    }
                } else {
                    report.actions = []
                }
            } catch {
                report = Report(compiled: false, errors: error.diagnostics.map(\.description), actions: [])
            }
            if json { return try Output.json(report) }
            for error in report.errors { print(error) }
            if let error = report.runtimeError { print("runtime error: \(error)") }
            for action in report.actions ?? [] {
                print(action.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
        }

        /// Message files on disk often have bare LF line ends; mail has CRLF.
        static func crlf(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 40)
            var previous: UInt8 = 0
            for byte in bytes {
                if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
                out.append(byte)
                previous = byte
            }
            return out
        }
    }

    /// `test`'s world: a fixed set of mailboxes, no duplicates.
    struct OfflineEnvironment: SieveEnvironment {
        var mailboxes: Set<String>
        func mailboxExists(_ name: String) async -> Bool { mailboxes.contains(name) }
        func isDuplicate(_ id: String, seconds: Int) async -> Bool { false }
    }

    struct Global: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the site's and domains' global scripts.",
            discussion: """
                SCOPE is "site" or a domain name. The scripts named "before" run before every user's script of the \
                scope (the site's first), those named "after" after it (the domain's first); every global script \
                can be included with include :global.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "list, get, put or delete.") var action: String
        @Argument(help: "site, or a domain.") var scope: String
        @Argument(help: "The script's name.") var name: String?
        @Argument(help: "The script file for put ('-': standard input).") var file: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let owner: SieveOwner = scope == "site" ? .site : .domain(scope)
            try await global.withSite { site in
                if case .domain(let domain) = owner, !(try await site.directory.isLocalDomain(domain)) {
                    throw CLIError("\(domain) is not a local domain")
                }
                switch (action, name, file) {
                case ("list", _, _):
                    let scripts = try await site.sieve.list(owner)
                    if json { return try Output.json(scripts) }
                    Output.table(["NAME", "SIZE", "LAST ERROR"], scripts.map { [$0.name, String($0.size), $0.lastError ?? ""] })
                case ("get", let name?, _):
                    print(try await site.sieve.get(owner, name: name))
                case ("put", let name?, let file?):
                    try await site.sieve.put(owner, name: name, text: try SieveCommand.read(file))
                case ("delete", let name?, _):
                    try await site.sieve.delete(owner, name: name)
                default:
                    throw CLIError("usage: posta sieve global list|get|put|delete SCOPE [NAME] [FILE]")
                }
            }
        }
    }
}
