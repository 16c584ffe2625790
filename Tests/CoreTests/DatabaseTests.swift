import Core
import PostaTestSupport
import SQLKit
import Testing

@Suite("SQL layer on SQLite and PostgreSQL")
struct DatabaseTests {
    static let first = Migration("test.1-create") { db in
        ["CREATE TABLE item (id \(db.autoIncrementPrimaryKey), name TEXT NOT NULL UNIQUE, data \(db.binaryType))"]
    }
    static let second = Migration("test.2-add-column") { _ in
        ["ALTER TABLE item ADD COLUMN size BIGINT NOT NULL DEFAULT 0"]
    }

    @Test("a transaction cancelled midway is rolled back and holds up no other writer", arguments: TestDatabases.dialects)
    func cancelledTransaction(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.withConnection { try await $0.raw("CREATE TABLE cancelled_t (x BIGINT)").run() }
            let task = Task {
                try await db.transaction { conn in
                    try await conn.raw("INSERT INTO cancelled_t VALUES (1)").run()
                    try await Task.sleep(for: .seconds(60))  // cancelled here, as a stopping service is
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            _ = await task.result
            // The next writers get through (not after SQLite's busy timeout) and see no row 1.
            let started = ContinuousClock.now
            for n in 2...9 {
                try await db.transaction { try await $0.raw("INSERT INTO cancelled_t VALUES (\(unsafeRaw: "\(n)"))").run() }
            }
            #expect(ContinuousClock.now - started < .seconds(8))
            let rows = try await db.withConnection { try await $0.raw("SELECT x FROM cancelled_t WHERE x = 1").all() }
            #expect(rows.isEmpty)
        }
    }

    @Test("migrations apply once, in order, and are recorded", arguments: TestDatabases.dialects)
    func migrationsApplyOnce(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            #expect(try await db.migrate([Self.first]) == ["test.1-create"])
            #expect(try await db.migrate([Self.first, Self.second]) == ["test.2-add-column"])
            #expect(try await db.migrate([Self.first, Self.second]) == [])
            #expect(try await db.appliedMigrations() == ["test.1-create", "test.2-add-column"])
            // The schema really is there: the column added by the second step takes values.
            try await db.withConnection { sql in
                try await sql.insert(into: "item").columns("name", "size").values(SQLBind("a"), SQLBind(Int64(7))).run()
                let size = try await sql.select().column("size").from("item").first(decodingColumn: "size", as: Int64.self)
                #expect(size == 7)
            }
        }
    }

    @Test("a failing migration leaves nothing behind", arguments: TestDatabases.dialects)
    func failingMigrationRollsBack(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let broken = Migration("test.2-broken") { _ in
                ["CREATE TABLE half (id BIGINT)", "THIS IS NOT SQL"]
            }
            await #expect(throws: (any Error).self) { try await db.migrate([Self.first, broken]) }
            let applied = try await db.appliedMigrations()
            #expect(applied == [])
            // Neither step's table exists: the whole run was one transaction.
            await #expect(throws: (any Error).self) {
                try await db.withConnection { try await $0.raw("SELECT * FROM item").run() }
            }
        }
    }

    @Test("nodes starting together migrate once", arguments: TestDatabases.dialects)
    func concurrentMigration(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 { group.addTask { try await db.migrate([Self.first, Self.second]) } }
                return try await group.reduce(into: [[String]]()) { $0.append($1) }
            }
            #expect(results.flatMap { $0 }.sorted() == ["test.1-create", "test.2-add-column"])
        }
    }

    @Test("transactions commit or roll back as a whole", arguments: TestDatabases.dialects)
    func transactions(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate([Self.first])
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await db.transaction { sql in
                    try await sql.insert(into: "item").columns("name").values(SQLBind("x")).run()
                    throw Boom()
                }
            }
            try await db.transaction { sql in
                try await sql.insert(into: "item").columns("name").values(SQLBind("y")).run()
            }
            let names = try await db.withConnection { sql in
                try await sql.select().column("name").from("item").all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(names == ["y"])
        }
    }

    @Test("duplicate migration names are refused")
    func duplicateNames() async throws {
        try await TestDatabases.with(.sqlite) { db in
            await #expect(throws: SQLLayerError.duplicateMigration("test.1-create")) {
                try await db.migrate([Self.first, Self.first])
            }
        }
    }
}
