import Core
import Foundation
import NIOConcurrencyHelpers
import PostaTestSupport
import SQLKit
import Testing

@testable import Store

/// A `MessageCompanion` that records what it is told, and fails when asked to.
final class RecordingCompanion: MessageCompanion {
    struct Calls {
        var added: [AddedMessage] = []
        var copied: [(mailboxID: Int64, pairs: [(source: Int64, copy: Int64)])] = []
    }
    let calls = NIOLockedValueBox(Calls())
    let fails: Bool

    init(fails: Bool = false) { self.fails = fails }

    func added(_ db: any SQLDatabase, _ message: AddedMessage) async throws {
        // The message row is visible inside the same transaction.
        let n = try await db.raw("SELECT COUNT(*) AS n FROM message WHERE id = \(bind: message.id)").first(
            decodingColumn: "n", as: Int64.self)
        #expect(n == 1)
        if fails { throw StoreError.io("companion refused") }
        calls.withLockedValue { $0.added.append(message) }
    }

    func copied(_ db: any SQLDatabase, mailboxID: Int64, pairs: [(source: Int64, copy: Int64)]) async throws {
        if fails { throw StoreError.io("companion refused") }
        calls.withLockedValue { $0.copied.append((mailboxID, pairs)) }
    }
}

@Suite("Message companions: rows written in the store's transactions")
struct CompanionTests {
    static let message = Array("Subject: hello\r\nFrom: a@example.net\r\n\r\nbody\r\n".utf8)

    @Test("append, file delivery, MULTIAPPEND and copy tell the companion, with the header", arguments: TestDatabases.dialects)
    func toldOfEveryRow(dialect: Database.Dialect) async throws {
        let companion = RecordingCompanion()
        try await StoreFixture.with(dialect, companions: [companion]) { f in
            let ann = try await f.account("ann@example.org")
            let first = try await f.store.append(accountID: ann.id, mailbox: "INBOX", data: Self.message)
            let spool = try StoreFixture.file(Array("X: 1\r\n\r\nspooled\r\n".utf8), in: f.root)
            try await f.store.append(
                accountID: ann.id, mailbox: "INBOX", prefix: Array("Delivered-To: ann@example.org\r\n".utf8),
                sourceFile: spool, sourceOffset: 0)
            _ = try await f.store.append(
                accountID: ann.id, mailbox: "INBOX",
                messages: [AppendRequest(data: Self.message), AppendRequest(data: Self.message)])
            var added = companion.calls.withLockedValue { $0.added }
            #expect(added.count == 4)
            #expect(added[0].header == Array("Subject: hello\r\nFrom: a@example.net\r\n\r\n".utf8))
            #expect(added[0].mailboxID == first.mailboxID && added[0].size == Int64(Self.message.count))
            #expect(added[1].header == Array("Delivered-To: ann@example.org\r\nX: 1\r\n\r\n".utf8))
            #expect(Set(added.map(\.id)).count == 4)

            _ = try await f.store.createMailbox(accountID: ann.id, name: "Kept")
            let copy = try await f.store.copy(mailboxID: first.mailboxID, uids: [first.uid], to: "Kept")
            let copied = companion.calls.withLockedValue { $0.copied }
            #expect(copied.count == 1)
            #expect(copied.first?.mailboxID == copy.destinationID)
            #expect(copied.first?.pairs.map(\.source) == [added[0].id])
            let newID = try await f.database.withConnection { db in
                try await db.raw(
                    "SELECT id FROM message WHERE mailbox_id = \(bind: copy.destinationID) AND uid = \(bind: Int64(copy.destinationUIDs[0]))"
                ).first(decodingColumn: "id", as: Int64.self)
            }
            #expect(copied.first?.pairs.map(\.copy) == newID.map { [$0] })
            added = companion.calls.withLockedValue { $0.added }
            #expect(added.count == 4)  // a copy is not an addition
        }
    }

    @Test("a companion that fails aborts the append and its file goes", arguments: TestDatabases.dialects)
    func failureAborts(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect, companions: [RecordingCompanion(fails: true)]) { f in
            let ann = try await f.account("ann@example.org")
            await #expect(throws: StoreError.self) {
                try await f.store.append(accountID: ann.id, mailbox: "INBOX", data: Self.message)
            }
            let count = try await f.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM message").first(decodingColumn: "n", as: Int64.self)
            }
            #expect(count == 0)
            let relative = try await f.database.withConnection { db in
                try await db.raw("SELECT maildir FROM store_account WHERE account_id = \(bind: ann.id)").first(
                    decodingColumn: "maildir", as: String.self)
            }
            let maildir = f.root + "/" + (relative ?? "?")
            for sub in ["new", "cur", "tmp"] {
                #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/" + sub).isEmpty)
            }
            let usage = try await f.store.storageUsage(accountID: ann.id)
            #expect(usage.usedBytes == 0 && usage.messageCount == 0)
        }
    }
}
