import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

/// Disabling, deleting or changing the password of an account raises its session generation and
/// records a revocation; the registry closes sessions authenticated under an older generation.
@Suite("Session revocation (disable, passwd, delete)")
struct SessionRevocationTests {
    /// Counts the closes of registered sessions.
    final class Closes: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func close() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }

    static func migrated(_ db: Database) async throws -> Directory {
        try await db.migrate(DirectorySchema.migrations)
        let directory = Directory(database: db)
        try await directory.addDomain("example.org")
        for user in ["alice", "bob"] {
            try await directory.addAccount("\(user)@example.org", password: DirectoryFixture.password)
        }
        return directory
    }

    @Test(
        "disable and passwd raise the generation and record a revocation; enable and other changes do not",
        arguments: TestDatabases.dialects)
    func recorded(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let directory = try await Self.migrated(db)
            let since = UnixTime.now() - 1
            let alice = try #require(try await directory.account("alice@example.org"))
            #expect(alice.sessionGeneration == 0)
            try await directory.setEnabled("alice@example.org", false)
            try await directory.setEnabled("alice@example.org", true)
            try await directory.setQuota("alice@example.org", bytes: 1000)
            try await directory.setPassword("alice@example.org", to: try StoredPassword("{PLAIN}new-password"))
            try await directory.deleteAccount("bob@example.org")
            #expect(try await directory.account("alice@example.org")?.sessionGeneration == 2)
            let revocations = try await directory.revocations(since: since)
            #expect(revocations.map { $0.reason?.rawValue } == ["disabled", "password-changed", "deleted"])
            #expect(revocations.prefix(2).map(\.generation) == [1, 2])
            #expect(revocations.prefix(2).allSatisfy { $0.accountID == alice.id })
            // Kept a day, then purged.
            #expect(try await directory.purgeRevocations(before: UnixTime.now() + 1) == 3)
            #expect(try await directory.revocations(since: 0).isEmpty)
        }
    }

    @Test("the registry closes sessions of older generations, also those that register after the revocation")
    func registry() async throws {
        try await DirectoryFixture.with(.sqlite) { directory in
            try await directory.addDomain("example.org")
            let before = try await directory.addAccount("carol@example.org", password: DirectoryFixture.password)
            let sessions = AccountSessions()
            let closes = Closes()
            let first = sessions.register(before) { closes.close() }
            let other = try await directory.addAccount("dan@example.org", password: DirectoryFixture.password)
            let unrelated = sessions.register(other) { Issue.record("another account's session was closed") }
            #expect(sessions.count(accountID: before.id) == 1)

            try await directory.setPassword("carol@example.org", to: try StoredPassword("{PLAIN}changed"))
            let after = try #require(try await directory.account("carol@example.org"))
            // What the watcher does with each revocation it reads (applying one twice is harmless).
            for revocation in try await directory.revocations(since: 0) {
                sessions.revoke(accountID: revocation.accountID, generation: revocation.generation)
                sessions.revoke(accountID: revocation.accountID, generation: revocation.generation)
            }
            #expect(closes.value == 1)
            #expect(sessions.count(accountID: before.id) == 0)
            // A login that checked the old password just before the change registers too late: closed at once.
            let late = sessions.register(before) { closes.close() }
            #expect(closes.value == 2)
            // A login with the new password stays.
            let fresh = sessions.register(after) { closes.close() }
            #expect(closes.value == 2 && sessions.count(accountID: after.id) == 1)
            fresh.end()
            late.end()
            #expect(sessions.count(accountID: after.id) == 0)
            unrelated.end()
            first.end()
        }
    }
}
