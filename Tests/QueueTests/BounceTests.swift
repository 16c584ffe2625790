import Core
import Directory
import Foundation
import PostaTestSupport
import Queue
import Store
import Testing

@Suite("Bounces: RFC 3464 DSNs for failed deliveries, RFC 3461 NOTIFY and RET")
struct BounceTests {
    /// Queues `body` from `sender` for `to` with the given DSN parameters.
    func enqueue(
        _ f: QueueDeliveryTests.Fixture, from sender: String?, to account: Account, notify: DSNNotify? = nil,
        ret: DSNReturn? = nil
    ) async throws {
        let (id, file) = try f.queue.openSpoolFile()
        try file.write(Array("Subject: big\r\n\r\n\(String(repeating: "x", count: 200))\r\n".utf8))
        try await f.queue.commit(
            id: id, file: file,
            envelope: QueuedEnvelope(
                reversePath: try sender.map { try MailAddress(parsing: $0) }, dsnRet: ret, clientIP: "192.0.2.1", helo: "c"),
            deliveries: [
                QueuedDelivery(
                    recipient: account.address, notify: notify, kind: .local, accountID: account.id, target: account.address)
            ])
    }

    func runner(_ f: QueueDeliveryTests.Fixture) -> QueueRunner {
        QueueRunner(
            queue: f.queue, store: f.store, bounces: Bounces(hostname: "mx.example.org", directory: f.directory), logger: f.logger
        )
    }

    func inbox(_ f: QueueDeliveryTests.Fixture, _ account: Account) async throws -> [String] {
        let box = try #require(try await f.store.mailbox(accountID: account.id, name: "INBOX"))
        return try await f.store.messages(mailboxID: box.id).map {
            String(decoding: try Array(contentsOf: $0.path), as: UTF8.self)
        }
    }

    @Test(
        "a failed local delivery bounces to a local sender; RET=HDRS returns only the header", arguments: TestDatabases.dialects)
    func bouncesToSender(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let small = try await f.account("small@example.org", quota: 10)
            try await enqueue(f, from: "alice@example.org", to: small, ret: .headers)
            let runner = runner(f)
            #expect(try await runner.runOnce() == 1)  // fails over quota, queues the DSN
            #expect(try await runner.runOnce() == 1)  // delivers the DSN
            let received = try await inbox(f, alice)
            #expect(received.count == 1)
            let dsn = try #require(received.first)
            #expect(dsn.hasPrefix("Return-Path: <>\r\n"))
            #expect(dsn.contains("Content-Type: multipart/report; report-type=delivery-status"))
            #expect(dsn.contains("Final-Recipient: rfc822; small@example.org\r\nAction: failed\r\nStatus: 5.2.2\r\n"))
            #expect(dsn.contains("Content-Type: text/rfc822-headers\r\n\r\nSubject: big\r\n\r\n--"))
            #expect(!dsn.contains("xxxxxxxxxx"))
            #expect(try await f.queue.size() == (0, 0))
        }
    }

    @Test("no DSN for NOTIFY=NEVER, nor for a bounce (null sender)", arguments: TestDatabases.dialects)
    func noBounce(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let small = try await f.account("small@example.org", quota: 10)
            try await enqueue(f, from: "alice@example.org", to: small, notify: .never)
            try await enqueue(f, from: nil, to: small)
            let runner = runner(f)
            #expect(try await runner.runOnce() == 2)
            #expect(try await runner.runOnce() == 0)
            #expect(try await inbox(f, alice).isEmpty)
            // The bounce that could not be delivered stays visible to the admin; the other is done.
            #expect(try await f.queue.size().messages == 1)
        }
    }
}
