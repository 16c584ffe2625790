import Core
import Directory
import PostaTestSupport
import Testing

@Suite("Directory administration on SQLite and PostgreSQL")
struct DirectoryAdminTests {
    @Test("domains: add, list, case-insensitive, duplicate, delete only when empty", arguments: TestDatabases.dialects)
    func domains(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await dir.addDomain("Example.ORG")
            try await dir.addDomain("b.example")
            #expect(try await dir.domains().map(\.name) == ["b.example", "example.org"])
            #expect(try await dir.isLocalDomain("EXAMPLE.org"))
            await #expect(throws: DirectoryError.duplicateDomain("example.org")) { try await dir.addDomain("example.org") }
            await #expect(throws: DirectoryError.invalidDomain("bad_domain")) { try await dir.addDomain("bad_domain") }
            try await dir.addAccount("a@example.org", password: DirectoryFixture.password)
            await #expect(throws: DirectoryError.domainNotEmpty("example.org", accounts: 1, aliases: 0)) {
                try await dir.deleteDomain("example.org")
            }
            try await dir.deleteDomain("B.example")
            #expect(try await dir.domains().map(\.name) == ["example.org"])
            await #expect(throws: DirectoryError.unknownDomain("nope.example")) { try await dir.deleteDomain("nope.example") }
        }
    }

    @Test("accounts: add, find case-insensitively, change, delete", arguments: TestDatabases.dialects)
    func accounts(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await dir.addDomain("example.org")
            let alice = try await dir.addAccount(
                "Alice@Example.org", password: DirectoryFixture.password, displayName: "Alice", quotaBytes: 1 << 30)
            #expect(alice.address == "Alice@example.org")
            let found = try #require(try await dir.account("alice@EXAMPLE.ORG"))
            #expect(found.id == alice.id && found.displayName == "Alice" && found.quotaBytes == 1 << 30 && found.enabled)
            #expect(found.lastLoginAt == nil)
            await #expect(throws: DirectoryError.duplicateAccount("ALICE@example.org")) {
                try await dir.addAccount("ALICE@example.org", password: DirectoryFixture.password)
            }
            await #expect(throws: DirectoryError.unknownDomain("other.example")) {
                try await dir.addAccount("bob@other.example", password: DirectoryFixture.password)
            }
            await #expect(throws: DirectoryError.self) {
                try await dir.addAccount("not an address", password: DirectoryFixture.password)
            }

            try await dir.setEnabled("alice@example.org", false)
            try await dir.setQuota("alice@example.org", bytes: 0)
            try await dir.setDisplayName("alice@example.org", "Alice Smith")
            let changed = try #require(try await dir.account("alice@example.org"))
            #expect(!changed.enabled && changed.quotaBytes == 0 && changed.displayName == "Alice Smith")
            await #expect(throws: DirectoryError.invalidQuota(-1)) { try await dir.setQuota("alice@example.org", bytes: -1) }
            await #expect(throws: DirectoryError.unknownAccount("zed@example.org")) {
                try await dir.setEnabled("zed@example.org", true)
            }

            try await dir.addAccount("bob@example.org", password: DirectoryFixture.password)
            #expect(try await dir.accounts(domain: "example.org").map(\.address) == ["Alice@example.org", "bob@example.org"])
            try await dir.deleteAccount("BOB@example.org")
            #expect(try await dir.accounts().map(\.address) == ["Alice@example.org"])
            await #expect(throws: DirectoryError.unknownAccount("bob@example.org")) {
                try await dir.deleteAccount("bob@example.org")
            }
        }
    }

    @Test("aliases: several targets, catch-all, partial and whole deletion", arguments: TestDatabases.dialects)
    func aliases(dialect: Database.Dialect) async throws {
        try await DirectoryFixture.with(dialect) { dir in
            try await dir.addDomain("example.org")
            try await dir.addAlias("Team@example.org", targets: ["a@example.org", "b@elsewhere.example"])
            try await dir.addAlias("team@example.org", targets: ["c@example.org"])
            try await dir.addAlias("@example.org", targets: ["postmaster@example.org"])
            await #expect(throws: DirectoryError.duplicateAlias(source: "team@example.org", target: "A@example.org")) {
                try await dir.addAlias("team@example.org", targets: ["A@example.org"])
            }
            await #expect(throws: DirectoryError.aliasSourceIsNotLocal("x@other.example")) {
                try await dir.addAlias("x@other.example", targets: ["a@example.org"])
            }
            #expect(
                try await dir.aliases() == [
                    Alias(source: "@example.org", targets: ["postmaster@example.org"]),
                    Alias(source: "team@example.org", targets: ["a@example.org", "b@elsewhere.example", "c@example.org"]),
                ])
            try await dir.deleteAlias("team@example.org", targets: ["B@elsewhere.example"])
            #expect(try await dir.aliases(domain: "example.org").last?.targets == ["a@example.org", "c@example.org"])
            try await dir.deleteAlias("team@example.org")
            #expect(try await dir.aliases().map(\.source) == ["@example.org"])
            await #expect(throws: DirectoryError.unknownAlias("team@example.org")) {
                try await dir.deleteAlias("team@example.org")
            }
        }
    }
}
