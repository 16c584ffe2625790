import Core
import Directory
import Foundation
import PostaTestSupport
import Testing

@testable import Store

/// Deleting a mailbox and creating one of the same name at once, as clients emptying Trash do, with
/// deliveries, appends and copies into the new one meanwhile (issue #12 item 10).
@Suite("Mailbox delete and re-create race, SQLite and PostgreSQL")
struct MailboxRaceTests {
    @Test("the new mailbox keeps every message put into it and none of the old one", arguments: TestDatabases.dialects)
    func deleteAndRecreate(dialect: Database.Dialect) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let spooled = try StoreFixture.file(Array("delivered\r\n".utf8), in: folder.path)
        try await StoreFixture.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let store = f.store
            let inbox = try #require(try await store.mailbox(accountID: alice.id, name: "INBOX"))
            let kept = try await store.append(accountID: alice.id, mailbox: "INBOX", data: Array("copied\r\n".utf8))
            for round in 0..<12 {
                let old = try #require(try await store.mailbox(accountID: alice.id, name: "Trash"))
                for i in 0..<3 {
                    try await store.append(accountID: alice.id, mailbox: "Trash", data: Array("old \(round) \(i)\r\n".utf8))
                }

                @Sendable func refill() async throws {
                    while true {
                        do {
                            try await store.createMailbox(accountID: alice.id, name: "Trash")
                            break
                        } catch StoreError.mailboxExists {
                            await Task.yield()
                        }
                    }
                    for i in 0..<3 {
                        try await store.append(accountID: alice.id, mailbox: "Trash", data: Array("new \(round) \(i)\r\n".utf8))
                    }
                    try await store.append(accountID: alice.id, mailbox: "Trash", prefix: [], sourceFile: spooled)
                    try await store.copy(mailboxID: inbox.id, uids: [kept.uid], to: "Trash")
                }
                async let deleted = store.deleteMailbox(accountID: alice.id, name: "Trash")
                async let refilled: Void = refill()
                _ = try await deleted
                try await refilled

                let box = try #require(try await store.mailbox(accountID: alice.id, name: "Trash"))
                #expect(box.uidValidity != old.uidValidity)
                let messages = try await store.messages(mailboxID: box.id)
                #expect(messages.count == 5, "round \(round)")
                var texts: [String] = []
                for message in messages {
                    #expect(StoreFixture.exists(message.path), "round \(round): \(message.path) lost")
                    if let bytes = try? StoreFixture.read(message.path) { texts.append(String(decoding: bytes, as: UTF8.self)) }
                }
                #expect(texts.sorted() == ((0..<3).map { "new \(round) \($0)\r\n" } + ["copied\r\n", "delivered\r\n"]).sorted())
            }
            #expect(try await store.storageUsage(accountID: alice.id).messageCount == 1 + 5)
        }
    }
}
