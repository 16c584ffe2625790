import Core
import Foundation
import PostaTestSupport
import Queue
import Store
import Testing

@Suite("Queue: spam goes to the account's \\Junk mailbox whatever its name, else INBOX; never deferred for it")
struct JunkDeliveryTests {
    /// Queues one message for alice marked for Junk (as the spam filter does), runs the queue after
    /// `arrange` changed her mailboxes, and returns the mailbox that holds it; the queue must be empty.
    func deliveredMailbox(_ dialect: Database.Dialect, arrange: (MailStore, Int64) async throws -> Void) async throws -> String? {
        var found: String?
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            try await arrange(f.store, alice.id)
            let (id, file) = try f.queue.openSpoolFile()
            try file.write(Array("Subject: spam\r\n\r\nbuy\r\n".utf8))
            var delivery = QueuedDelivery(recipient: alice.address, kind: .local, accountID: alice.id, target: alice.address)
            delivery.mailbox = "Junk"
            try await f.queue.commit(
                id: id, file: file, envelope: QueuedEnvelope(reversePath: nil, clientIP: "192.0.2.1", helo: "c"),
                deliveries: [delivery])
            #expect(try await f.runner().runOnce() == 1)
            #expect(try await f.queue.size() == (0, 0))
            for box in try await f.store.mailboxes(accountID: alice.id) where box.messageCount > 0 {
                #expect(found == nil, "delivered twice")
                found = box.name
            }
        }
        return found
    }

    @Test("renamed Junk folder keeps receiving spam", arguments: TestDatabases.dialects)
    func renamed(dialect: Database.Dialect) async throws {
        let box = try await deliveredMailbox(dialect) { store, account in
            _ = try await store.renameMailbox(accountID: account, from: "Junk", to: "Spam")
        }
        #expect(box == "Spam")
    }

    @Test("\\Junk on another name wins over a plain folder called Junk", arguments: TestDatabases.dialects)
    func otherName(dialect: Database.Dialect) async throws {
        let box = try await deliveredMailbox(dialect) { store, account in
            try await store.deleteMailbox(accountID: account, name: "Junk")
            _ = try await store.createMailbox(accountID: account, name: "Junk")
            _ = try await store.createMailbox(accountID: account, name: "Bulk Mail", specialUse: .junk)
        }
        #expect(box == "Bulk Mail")
    }

    @Test("no \\Junk mailbox: INBOX, not a deferral", arguments: TestDatabases.dialects)
    func noJunk(dialect: Database.Dialect) async throws {
        let box = try await deliveredMailbox(dialect) { store, account in
            try await store.deleteMailbox(accountID: account, name: "Junk")
        }
        #expect(box == "INBOX")
    }
}
