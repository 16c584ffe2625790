import Core
import Directory
import PostaTestSupport
import Testing

@Suite("Login log retention")
struct LoginLogRetentionTests {
    @Test("purge deletes events older than the cut-off in bounded batches, and nothing newer", arguments: TestDatabases.dialects)
    func purge(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + LoginSchema.migrations)
            let log = LoginLog(database: db)
            let now = UnixTime.now()
            let day: Int64 = 86400
            for age in [200, 120, 91, 91, 91, 89, 1] as [Int64] {
                try await log.record(
                    LoginEvent(
                        accountID: nil, login: "alice@example.org", ip: "192.0.2.1", protocolName: "imap", success: true,
                        reason: nil, createdAt: now - age * day))
            }
            #expect(try await log.purge(before: now - 90 * day, batch: 2) == 5)
            let left = try await log.recent(login: "alice@example.org").map { (now - $0.createdAt) / day }
            #expect(left == [1, 89])
            #expect(try await log.purge(before: now - 90 * day, batch: 2) == 0)
        }
    }
}
