import Core
import Foundation
import PostaTestSupport
import Queue
import Testing

extension QueueDeliveryTests {
    @Test(
        "a message committed held is never delivered until released, then with its extra header fields",
        arguments: TestDatabases.dialects)
    func committedHeld(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let (id, file) = try f.queue.openSpoolFile()
            try file.write(Array("Subject: held\r\n\r\nx\r\n".utf8))
            let sender = try MailAddress(parsing: "s@remote.example")
            try await f.queue.commit(
                id: id, file: file, envelope: QueuedEnvelope(reversePath: sender, clientIP: "192.0.2.1", helo: "c"),
                deliveries: [
                    QueuedDelivery(recipient: alice.address, kind: .local, accountID: alice.id, target: alice.address)
                ],
                held: true, headers: "Received-SPF: pass\r\n")
            #expect(try await f.queue.entry(id)?.held == true)
            let runner = f.runner()
            #expect(try await runner.runOnce() == 0)
            #expect(try await runner.deliverNow(messageID: id).isEmpty)

            try await f.queue.setHeld(id, false)
            #expect(try await runner.runOnce() == 1)
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            let messages = try await f.store.messages(mailboxID: inbox.id)
            #expect(messages.count == 1)
            let content = String(decoding: try Array(contentsOf: messages[0].path), as: UTF8.self)
            #expect(content.contains("Delivered-To: alice@example.org\r\nReceived-SPF: pass\r\nSubject: held\r\n"))
        }
    }
}
