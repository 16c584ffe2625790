import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

@testable import Store

@Suite("Store expunge on SQLite and PostgreSQL")
struct ExpungeTests {
    @Test("expunge removes rows and files, adjusts counters, bumps modseq, is idempotent", arguments: TestDatabases.dialects)
    func expunge(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            var results: [AppendResult] = []
            for i in 1...3 {
                results.append(
                    try await f.store.append(
                        accountID: alice.id, mailbox: "INBOX", data: Array("Subject: \(i)\r\n\r\nbody \(i)\r\n".utf8)))
            }
            let mailboxID = results[0].mailboxID
            let before = try await f.store.messages(mailboxID: mailboxID)
            let inboxBefore = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            let changes = f.store.notifier.changes(mailboxID: mailboxID)
            var iterator = changes.makeAsyncIterator()

            let removed = try await f.store.expunge(mailboxID: mailboxID, uids: [3, 1, 99, 1])
            #expect(removed == [1, 3])
            let after = try await f.store.messages(mailboxID: mailboxID)
            #expect(after.map(\.uid) == [2])
            #expect(
                !StoreFixture.exists(before[0].path) && StoreFixture.exists(before[1].path)
                    && !StoreFixture.exists(before[2].path))
            #expect(
                try await f.store.storageUsage(accountID: alice.id)
                    == StorageUsage(usedBytes: results[1].size, messageCount: 1, quotaBytes: 0))
            let inboxAfter = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(inboxAfter.highestModSeq > inboxBefore.highestModSeq)
            #expect(inboxAfter.uidNext == inboxBefore.uidNext && inboxAfter.messageCount == 1)
            #expect(await iterator.next() != nil)

            // Already gone: nothing changes.
            #expect(try await f.store.expunge(mailboxID: mailboxID, uids: [1, 3]) == [])
            #expect(try await f.store.expunge(mailboxID: mailboxID, uids: []) == [])
            let again = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(again.highestModSeq == inboxAfter.highestModSeq)
            #expect(try await f.store.storageUsage(accountID: alice.id).messageCount == 1)

            // A new append does not reuse expunged UIDs.
            let next = try await f.store.append(accountID: alice.id, mailbox: "INBOX", data: Array("Subject: 4\r\n\r\n".utf8))
            #expect(next.uid == 4)
        }
    }

    @Test("expunge of many UIDs crosses the bind batch size", arguments: TestDatabases.dialects)
    func many(dialect: Database.Dialect) async throws {
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            var mailboxID: Int64 = 0
            for i in 1...520 {
                mailboxID = try await f.store.append(
                    accountID: alice.id, mailbox: "INBOX", data: Array("Subject: \(i)\r\n\r\n".utf8)
                ).mailboxID
            }
            let removed = try await f.store.expunge(mailboxID: mailboxID, uids: Array(1...519))
            #expect(removed.count == 519)
            #expect(try await f.store.messages(mailboxID: mailboxID).map(\.uid) == [520])
            #expect(try await f.store.storageUsage(accountID: alice.id).messageCount == 1)
            #expect(try await f.store.expunge(mailboxID: 987_654, uids: [1]) == [])
        }
    }
}
