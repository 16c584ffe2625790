import Core
import Directory
import PostaTestSupport

/// A migrated directory on a throw-away database of each dialect.
enum DirectoryFixture {
    @discardableResult
    static func with<R: Sendable>(_ dialect: Database.Dialect, _ body: (Directory) async throws -> R) async throws -> R {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations)
            return try await body(Directory(database: db, expansionLimit: 50, depthLimit: 5))
        }
    }

    /// A cheap hash for fixtures (the real schemes are tested in PasswordTests).
    static let password = try! StoredPassword("{PLAIN}secret-password")
}
