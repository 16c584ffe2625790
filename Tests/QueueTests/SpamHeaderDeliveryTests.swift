import Core
import Foundation
import PostaTestSupport
import Queue
import Testing

@Suite("Queue: per-recipient header fields and forged X-Spam-* fields at local delivery")
struct SpamHeaderDeliveryTests {
    static let forged =
        "Received: from c\r\nX-Spam-Flag: YES\r\nX-Spam-Status: Yes, score=99.0\r\n\ttests=FORGED\r\nSubject: hi\r\n"
        + "x-spam-score: 99\r\n\r\nX-Spam-Flag: YES in the body stays\r\n"

    /// Delivers `body` to alice (recipient fields `aliceHeaders`) and bob (none) and returns both copies.
    func deliver(_ dialect: Database.Dialect, body: String, message: String?, aliceHeaders: String?)
        async throws -> [String]
    {
        var copies: [String] = []
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let bob = try await f.account("bob@example.org")
            let (id, file) = try f.queue.openSpoolFile()
            try file.write(Array(body.utf8))
            var deliveries = [alice, bob].map {
                QueuedDelivery(recipient: $0.address, kind: .local, accountID: $0.id, target: $0.address)
            }
            deliveries[0].headers = aliceHeaders
            deliveries[0].mailbox = "Junk"
            try await f.queue.commit(
                id: id, file: file,
                envelope: QueuedEnvelope(reversePath: nil, clientIP: "192.0.2.1", helo: "c"),
                deliveries: deliveries, headers: message)
            #expect(try await f.runner().runOnce() == 2)
            for (account, mailbox) in [(alice, "Junk"), (bob, "INBOX")] {
                let box = try #require(try await f.store.mailbox(accountID: account.id, name: mailbox))
                let messages = try await f.store.messages(mailboxID: box.id)
                #expect(messages.count == 1)
                copies.append(String(decoding: try Array(contentsOf: messages[0].path), as: UTF8.self))
            }
        }
        return copies
    }

    @Test(
        "Posta's verdict replaces the sender's X-Spam-* fields; the body is untouched",
        arguments: TestDatabases.dialects)
    func forgedFieldsAreDropped(dialect: Database.Dialect) async throws {
        let copies = try await deliver(
            dialect, body: Self.forged, message: "X-Policy: 1\r\n", aliceHeaders: "X-Spam-Flag: NO\r\n")
        let kept = "Received: from c\r\nSubject: hi\r\n\r\nX-Spam-Flag: YES in the body stays\r\n"
        #expect(
            copies[0]
                == "Return-Path: <>\r\nDelivered-To: alice@example.org\r\nX-Spam-Flag: NO\r\nX-Policy: 1\r\n"
                + kept)
        // bob's delivery carries no verdict of Posta's: the message is delivered as received.
        #expect(
            copies[1] == "Return-Path: <>\r\nDelivered-To: bob@example.org\r\nX-Policy: 1\r\n"
                + Self.forged)
    }

    @Test(
        "a message without X-Spam-* fields, or a header-only message, is delivered whole",
        arguments: TestDatabases.dialects)
    func cleanMessages(dialect: Database.Dialect) async throws {
        let clean = try await deliver(
            dialect, body: "Subject: hi\r\n\r\nbody\r\n", message: nil,
            aliceHeaders: "X-Spam-Flag: NO\r\n")
        #expect(clean[0].hasSuffix("X-Spam-Flag: NO\r\nSubject: hi\r\n\r\nbody\r\n"))
        let headerOnly = try await deliver(
            dialect, body: "Subject: hi\r\nX-Spam-Flag: YES\r\n", message: nil,
            aliceHeaders: "X-Spam-Flag: NO\r\n")
        #expect(
            headerOnly[0]
                == "Return-Path: <>\r\nDelivered-To: alice@example.org\r\nX-Spam-Flag: NO\r\nSubject: hi\r\n"
        )
    }
}
