import Core
import Foundation
import PostaTestSupport
import Queue
import SQLKit
import Store
import Testing

/// Answers each attempt with the next scripted outcome and records what it was given.
final class ScriptedTransport: RemoteTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [DeliveryOutcome]
    private var seen: [(message: OutboundMessage, targets: [OutboundTarget])] = []

    init(_ script: [DeliveryOutcome]) { self.script = script }

    var attempts: [(message: OutboundMessage, targets: [OutboundTarget])] { lock.withLock { seen } }

    func deliver(_ message: OutboundMessage, domain: String, targets: [OutboundTarget]) async -> [Int64: DeliveryOutcome] {
        let outcome = lock.withLock {
            seen.append((message, targets))
            return script.removeFirst()
        }
        return Dictionary(uniqueKeysWithValues: targets.map { ($0.rowID, outcome) })
    }
}

/// DSN parameters and delivery replies cross the queue typed: stored in their RFC spelling, handed
/// to the transport as values, and the reply a transport gave is what the DSN and `posta queue` show.
@Suite("Queue: typed DSN parameters and delivery replies")
struct TypedEnvelopeTests {
    @Test(
        "RET, BODY, NOTIFY and replies travel typed from commit to transport, queue listing and DSN",
        arguments: TestDatabases.dialects)
    func roundTrip(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let (id, file) = try f.queue.openSpoolFile()
            try file.write(Array("Subject: hi\r\n\r\nbody\r\n".utf8))
            try await f.queue.commit(
                id: id, file: file,
                envelope: QueuedEnvelope(
                    reversePath: try MailAddress(parsing: alice.address), dsnRet: .headers, dsnEnvID: "env-1", body: .binaryMIME,
                    clientIP: "192.0.2.1", helo: "c"),
                deliveries: [
                    QueuedDelivery(
                        recipient: "bob@remote.example", orcpt: DSNOriginalRecipient(text: "rfc822;bob@remote.example"),
                        notify: [.delay, .failure], kind: .remote,
                        accountID: nil, target: "bob@remote.example")
                ])
            let stored = try await f.queue.database.withConnection { db in
                try await db.raw(
                    "SELECT m.dsn_ret, m.body, r.notify, r.orcpt FROM queue_message m JOIN queue_recipient r ON r.message_id = m.id"
                ).first()
            }
            #expect(try stored?.decode(column: "dsn_ret", as: String.self) == "HDRS")
            #expect(try stored?.decode(column: "body", as: String.self) == "BINARYMIME")
            #expect(try stored?.decode(column: "notify", as: String.self) == "FAILURE,DELAY")
            #expect(try stored?.decode(column: "orcpt", as: String.self) == "rfc822;bob@remote.example")

            // A reply whose text starts like a status code but that carried none.
            let deferred = DeliveryReply(451, .init(4, 4, 1), "mx.remote.example: try later")
            let refused = DeliveryReply(550, nil, "mx.remote.example: 4.2.2 means nothing here")
            let transport = ScriptedTransport([.deferred(deferred), .failed(refused)])
            let runner = QueueRunner(
                queue: f.queue, store: f.store, remote: transport,
                bounces: Bounces(hostname: "mx.example.org", directory: f.directory),
                logger: f.logger)
            #expect(try await runner.runOnce() == 1)
            let sent = try #require(transport.attempts.first)
            #expect(sent.message.dsnRet == .headers && sent.message.body == .binaryMIME && sent.message.dsnEnvID == "env-1")
            #expect(sent.targets.map(\.notify) == [[.failure, .delay]])
            #expect(sent.targets.map(\.orcpt) == [DSNOriginalRecipient(addressType: "rfc822", address: "bob@remote.example")])

            let entry = try #require(try await f.queue.entry(id))
            #expect(entry.recipients.map(\.status) == [.pending] && entry.recipients.map(\.kind) == [.remote])
            #expect(entry.recipients.first?.lastError == "451 4.4.1 mx.remote.example: try later")
            let json = String(decoding: try JSONEncoder().encode(entry), as: UTF8.self)
            #expect(json.contains(#""status":"pending""#) && json.contains(#""kind":"remote""#))

            try await f.queue.retry(id)
            #expect(try await runner.runOnce() == 1)  // fails: the DSN is queued for alice
            #expect(try await runner.runOnce() == 1)  // delivers the DSN
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            let dsn = try #require(try await f.store.messages(mailboxID: inbox.id).first)
            let text = String(decoding: try Array(contentsOf: dsn.path), as: UTF8.self)
            #expect(text.contains("Original-Envelope-Id: env-1\r\n"))
            #expect(
                text.contains("Final-Recipient: rfc822; bob@remote.example\r\nOriginal-Recipient: rfc822;bob@remote.example\r\n"))
            #expect(text.contains("Action: failed\r\nStatus: 5.0.0\r\n"))
            #expect(text.contains("Diagnostic-Code: smtp; 550 mx.remote.example: 4.2.2 means nothing here\r\n"))
            #expect(text.contains("Content-Type: text/rfc822-headers"))
            #expect(try await f.queue.size() == (0, 0))
        }
    }

    @Test("a status this version does not know is an error, not a guess", arguments: TestDatabases.dialects)
    func unknownStatus(dialect: Database.Dialect) async throws {
        try await QueueDeliveryTests.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            try await f.enqueue("Subject: x\r\n\r\nx\r\n", to: [alice])
            try await f.queue.database.withConnection { db in
                try await db.update("queue_recipient").set("status", to: SQLBind("parked")).run()
            }
            await #expect(throws: QueueColumnError(column: "status", value: "parked")) { try await f.queue.entries() }
        }
    }
}
