import Core
import Directory
import PostaTestSupport
import SQLKit
import Testing

@testable import Store

/// `message.seen` and `message.deleted` (store.6): indexed copies of `\Seen` and `\Deleted` that
/// every flag write keeps equal to the `flags` text, and that the migration fills from it.
@Suite("Store: indexed \\Seen and \\Deleted columns on SQLite and PostgreSQL")
struct FlagColumnsTests {
    /// Each row's `seen`/`deleted` against its `flags` text, by mailbox and UID.
    private func columns(_ db: Database) async throws -> [String: (flags: String, seen: Bool, deleted: Bool)] {
        try await db.withConnection { db in
            var rows: [String: (String, Bool, Bool)] = [:]
            for row in try await db.raw("SELECT mailbox_id, uid, flags, seen, deleted FROM message").all() {
                let key =
                    "\(try row.decode(column: "mailbox_id", as: Int64.self))/\(try row.decode(column: "uid", as: Int64.self))"
                rows[key] = (
                    try row.decode(column: "flags", as: String.self), try row.decode(column: "seen", as: Bool.self),
                    try row.decode(column: "deleted", as: Bool.self)
                )
            }
            return rows
        }
    }

    private func expectConsistent(_ db: Database) async throws {
        let rows = try await columns(db)
        #expect(!rows.isEmpty)
        for (key, row) in rows {
            let words = row.flags.split(separator: " ")
            #expect(row.seen == words.contains("\\Seen"), "\(key): \(row)")
            #expect(row.deleted == words.contains("\\Deleted"), "\(key): \(row)")
        }
    }

    @Test("append, STORE, COPY and MOVE keep the columns equal to the flags", arguments: TestDatabases.dialects)
    func writesKeepColumns(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let data = Array("Subject: x\r\n\r\nbody\r\n".utf8)
            let first = try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: data, flags: ["\\seen", "$Work"])
            _ = try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: data)
            _ = try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: data, flags: ["\\Deleted", "\\Seen"])
            let box = first.mailboxID
            try await expectConsistent(f.database)
            #expect(try #require(try await f.store.mailbox(id: box)).unseenCount == 1)

            try await f.store.storeFlags(mailboxID: box, uids: [1], operation: .remove, flags: ["\\Seen"])
            try await f.store.storeFlags(mailboxID: box, uids: [2], operation: .replace, flags: ["\\Deleted", "\\Seen"])
            try await f.store.storeFlags(mailboxID: box, uids: [3], operation: .remove, flags: ["\\Deleted"])
            try await expectConsistent(f.database)
            #expect(try #require(try await f.store.mailbox(id: box)).unseenCount == 1)
            #expect(try await f.store.deletedCountAndSize(mailboxID: box).deleted == 1)

            _ = try await f.store.copy(mailboxID: box, uids: [1, 2], to: "Trash")
            _ = try await f.store.copy(mailboxID: box, uids: [3], to: "Archive", move: true)
            try await expectConsistent(f.database)
            let trash = try #require(try await f.store.mailbox(accountID: alice.id, name: "Trash"))
            #expect(trash.unseenCount == 1)
            #expect(try await f.store.deletedCountAndSize(mailboxID: trash.id).deleted == 1)
            #expect(try await f.store.expunge(mailboxID: trash.id, uids: [1, 2], onlyDeleted: true) == [2])
            #expect(try await f.store.expunge(mailboxID: box, uids: [1, 2], onlyDeleted: true) == [2])
        }
    }

    @Test("the migration fills the columns from the flags already stored", arguments: TestDatabases.dialects)
    func migrationFills(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let before = StoreSchema.migrations.prefix { $0.name != "store.6-seen-deleted-columns" }
            #expect(before.count == 5)  // store.1 to store.5: later migrations come after it
            try await db.migrate(DirectorySchema.migrations + before)
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let alice = try await directory.addAccount("alice@example.org", password: try StoredPassword("{PLAIN}x"))
            let flags = [
                "\\Seen $Work", "\\Answered \\Deleted", "", "$Seen \\Seenish", "\\seen \\DELETED", "\\Flagged \\Seen \\Deleted",
            ]
            try await db.withConnection { db in
                let box = try await db.raw(
                    """
                    INSERT INTO mailbox (account_id, name, folder, uidvalidity, created_at)
                    VALUES (\(bind: alice.id), 'INBOX', '', 1, 0) RETURNING id
                    """
                ).first(decodingColumn: "id", as: Int64.self)
                for (index, text) in flags.enumerated() {
                    try await db.raw(
                        """
                        INSERT INTO message (mailbox_id, uid, modseq, file, size, internal_date, flags, created_at)
                        VALUES (\(bind: box), \(bind: Int64(index + 1)), 1, \(bind: "cur/\(index)"), 1, 0, \(bind: text), 0)
                        """
                    ).run()
                }
            }
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations)
            let rows = try await columns(db).sorted { $0.key < $1.key }.map(\.value)
            #expect(rows.map(\.seen) == [true, false, false, false, true, true])
            #expect(rows.map(\.deleted) == [false, true, false, false, true, true])
        }
    }
}
