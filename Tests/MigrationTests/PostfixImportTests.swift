import Admin
import Core
import Directory
import PostaTestSupport
import Testing

@testable import Migration

/// `posta import postfix` on the fixtures `virtual`, `vmailbox_domains` and `aliases`: the aliases resolve as
/// Postfix resolves them (virtual(5) "ADDRESS EXTENSION"/"TABLE FORMAT": `user@domain`, then `@domain`; results
/// expanded again until they name a mailbox or a remote address).
@Suite("Postfix map import")
struct PostfixImportTests {
    static let accounts = ["alice", "bob", "carol", "dave", "catchall"].map { "\($0)@example.org" }

    static func input(aliases: Bool = true) throws -> PostfixMapImporter.Input {
        func file(_ name: String) throws -> PostfixMapImporter.File {
            .init(name: name, bytes: try MigrationFixtures.bytes(name))
        }
        return .init(
            virtualMailboxDomains: try file("vmailbox_domains"), virtualAliasMaps: try file("virtual"),
            aliases: aliases ? try file("aliases") : nil, aliasDomain: aliases ? "example.org" : nil)
    }

    static func run(_ f: DirectoryImportFixture, dryRun: Bool = false) async throws -> DirectoryImportSummary {
        try await PostfixMapImporter(console: f.console, principal: f.cli).run(try input(), dryRun: dryRun)
    }

    static func withAccounts(_ dialect: Database.Dialect, _ body: (DirectoryImportFixture) async throws -> Void) async throws {
        try await DirectoryImportFixture.with(dialect) { f in
            for address in accounts {
                _ = try await f.console.createAccount(
                    as: f.cli, address: address, hash: try StoredPassword("{PLAIN}secret-password"), displayName: "",
                    quotaBytes: 0)
            }
            try await body(f)
        }
    }

    /// The mailboxes and remote addresses mail to `address` reaches, as Posta resolves it.
    static func resolve(_ f: DirectoryImportFixture, _ address: String) async throws -> Set<String>? {
        guard case .deliver(let deliveries) = try await f.directory.resolve(try MailAddress(parsing: address)) else {
            return nil
        }
        return Set(
            deliveries.map { delivery in
                switch delivery {
                case .mailbox(_, let address, _): address
                case .external(let address): address.description
                case .service(let owner): owner.address.description
                }
            })
    }

    @Test("domains, aliases and catch-alls are created and resolve as Postfix would", arguments: TestDatabases.dialects)
    func resolvesAsPostfix(dialect: Database.Dialect) async throws {
        try await Self.withAccounts(dialect) { f in
            let summary = try await Self.run(f)
            func outcome(_ kind: DirectoryImportSummary.Kind, _ name: String) -> DirectoryImportSummary.Outcome? {
                summary.entries.first { $0.kind == kind && $0.name == name }?.outcome
            }
            #expect(outcome(.domain, "example.org") == .exists && outcome(.domain, "example.net") == .created)
            #expect(try await f.directory.domains().map(\.name) == ["example.net", "example.org"])

            // Each key of the virtual table, and addresses only the catch-all covers.
            let expected: [String: Set<String>] = [
                "postmaster@example.org": ["alice@example.org"],
                "info@example.org": ["alice@example.org", "bob@example.org"],
                "sales@example.org": ["bob@example.org", "carol@example.org"],
                "anyone@example.net": ["catchall@example.org"],
                "info@example.net": ["catchall@example.org"],
                // aliases(5), local names in example.org: root → alice; mailer-daemon → postmaster → alice.
                "root@example.org": ["alice@example.org"],
                "mailer-daemon@example.org": ["alice@example.org"],
                "webmaster@example.org": ["alice@example.org", "bob@example.org"],
                "mixed@example.org": ["alice@example.org"],
            ]
            for (address, targets) in expected {
                #expect(try await Self.resolve(f, address) == targets, "\(address)")
            }
            // Keys Postfix would not read as virtual aliases, and targets Posta cannot deliver to, are reported.
            #expect(outcome(.alias, "abuse") == .skipped && outcome(.alias, "example.com") == .skipped)
            let postmaster = summary.entries.first { $0.file == "aliases" && $0.name == "postmaster@example.org" }
            #expect(postmaster?.outcome == .skipped && postmaster?.reason?.contains("other targets") == true)
            let problems = summary.problems.filter { $0.file == "aliases" }.map(\.reason)
            #expect(problems.contains { $0.contains("command target \"|/usr/bin/procmail -m /etc/procmailrc\"") })
            #expect(problems.contains { $0.contains(":include: target") })
            #expect(problems.contains { $0.contains("file target \"/var/mail/archive\"") })
            #expect(try await Self.resolve(f, "lists@example.org") == nil)
            #expect(try await Self.resolve(f, "procmail@example.org") == nil)
            #expect((summary.created, summary.exists, summary.skipped) == (9, 1, 3))
            // Each alias is audited.
            let audit = try await f.console.auditLog(as: f.cli, AuditFilter(action: "alias.add", limit: 100))
            #expect(audit.items.count == 8)
        }
    }

    @Test("a second run creates nothing and changes nothing", arguments: TestDatabases.dialects)
    func idempotent(dialect: Database.Dialect) async throws {
        try await Self.withAccounts(dialect) { f in
            let first = try await Self.run(f)
            let aliases = try await f.directory.aliases()
            let again = try await Self.run(f)
            #expect(again.created == 0)
            #expect(again.exists == first.created + first.exists)
            #expect(again.skipped == first.skipped)
            #expect(try await f.directory.aliases() == aliases)
        }
    }

    @Test("a dry run reports what it would do and writes nothing", arguments: TestDatabases.dialects)
    func dryRun(dialect: Database.Dialect) async throws {
        try await Self.withAccounts(dialect) { f in
            let dry = try await Self.run(f, dryRun: true)
            #expect(dry.dryRun && dry.created == 9)
            #expect(try await f.directory.aliases().isEmpty)
            #expect(try await f.directory.domains().map(\.name) == ["example.org"])
            let real = try await Self.run(f)
            #expect(real.entries.map(\.outcome) == dry.entries.map(\.outcome))
        }
    }

    @Test("aliases of a domain that is not local are skipped", arguments: TestDatabases.dialects)
    func notLocal(dialect: Database.Dialect) async throws {
        try await DirectoryImportFixture.with(dialect) { f in
            let virtual = PostfixMapImporter.File(name: "virtual", bytes: Array("a@far.example b@example.org\n".utf8))
            let summary = try await PostfixMapImporter(console: f.console, principal: f.cli).run(
                .init(virtualAliasMaps: virtual), dryRun: false)
            #expect(summary.entries.map(\.outcome) == [.skipped])
            #expect(summary.entries[0].reason?.hasPrefix("domain far.example is not local") == true)
            #expect(summary.lines.first?.hasPrefix("virtual:1: alias a@far.example skipped") == true)
        }
    }
}
