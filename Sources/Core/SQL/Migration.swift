import SQLKit

/// One versioned step of the schema. Names are unique across modules and never change once
/// released (e.g. `"directory.1-domains-users-aliases"`); steps run once each, in list order.
public struct Migration: Sendable {
    public let name: String
    /// The statements, given the dialect (so a step can spell a type differently per engine).
    public let statements: @Sendable (Database) -> [String]

    public init(_ name: String, statements: @escaping @Sendable (Database) -> [String]) {
        self.name = name
        self.statements = statements
    }
}

extension Database {
    /// Applies, in order, every migration not yet recorded in `schema_migration`; returns the
    /// names it applied. Safe when several nodes start at once: on PostgreSQL an advisory lock,
    /// on SQLite the write lock of `BEGIN IMMEDIATE`, lets one node migrate while the others wait.
    @discardableResult
    public func migrate(_ migrations: [Migration]) async throws -> [String] {
        var seen = Set<String>()
        for migration in migrations where !seen.insert(migration.name).inserted {
            throw SQLLayerError.duplicateMigration(migration.name)
        }
        return try await transaction { db in
            if self.dialect == .postgres {
                // Held until the transaction ends; 0x706f737461 = "posta".
                try await db.raw("SELECT pg_advisory_xact_lock(482203120737)").run()
            }
            try await Self.createMigrationTable(db)
            let done = Set(
                try await db.select().column("name").from("schema_migration").all().map {
                    try $0.decode(column: "name", as: String.self)
                })
            var applied: [String] = []
            for migration in migrations where !done.contains(migration.name) {
                for statement in migration.statements(self) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.insert(into: "schema_migration")
                    .columns("name", "seq", "applied_at")
                    .values(SQLBind(migration.name), SQLBind(Int64(done.count + applied.count)), SQLBind(UnixTime.now()))
                    .run()
                applied.append(migration.name)
            }
            return applied
        }
    }

    /// Names of the migrations already applied, in the order they were recorded.
    public func appliedMigrations() async throws -> [String] {
        try await withConnection { db in
            try await Self.createMigrationTable(db)
            return try await db.select().column("name").from("schema_migration").orderBy("seq").all().map {
                try $0.decode(column: "name", as: String.self)
            }
        }
    }
}

extension Database {
    static func createMigrationTable(_ db: any SQLDatabase) async throws {
        try await db.raw(
            """
            CREATE TABLE IF NOT EXISTS schema_migration (
              name TEXT PRIMARY KEY, seq BIGINT NOT NULL, applied_at BIGINT NOT NULL)
            """
        )
        .run()
    }
}

/// Errors of the SQL layer itself (driver errors pass through unchanged).
public enum SQLLayerError: Error, Equatable, CustomStringConvertible {
    case duplicateMigration(String)

    public var description: String {
        switch self {
        case .duplicateMigration(let name): "migration '\(name)' is listed twice"
        }
    }
}
