import Core
import Directory
import PostaTestSupport
import SQLKit
import Testing

@Suite("Login log migrations")
struct LoginSchemaMigrationTests {
    @Test("directory.login.3 gives earlier IPv4 successes their client key, and nothing else", arguments: TestDatabases.dialects)
    func clientKeyBackfill(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let before = LoginSchema.migrations.prefix { $0.name != "directory.login.3-client-key" }
            #expect(before.count == 2)
            try await db.migrate(DirectorySchema.migrations + before)
            let rows: [(ip: String, success: Bool)] = [
                ("192.0.2.1", true), ("2001:db8::1", true), ("198.51.100.7", false), ("::ffff:192.0.2.9", true),
            ]
            try await db.withConnection { db in
                for row in rows {
                    try await db.insert(into: "login_event").columns("login", "ip", "protocol", "success", "created_at")
                        .values(
                            SQLBind("alice@example.org"), SQLBind(row.ip), SQLBind("imap"), SQLBind(row.success),
                            SQLBind(Int64(1))
                        )
                        .run()
                }
            }
            try await db.migrate(DirectorySchema.migrations + LoginSchema.migrations)
            let keys = try await db.withConnection { db in
                try await db.select().columns("ip", "client_key").from("login_event").orderBy("id").all().map {
                    try $0.decode(column: "client_key", as: String?.self)
                }
            }
            #expect(keys == ["192.0.2.1", nil, nil, nil])
        }
    }
}
