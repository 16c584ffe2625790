import Core
import Directory
import Foundation
import Logging
import PostaTestSupport
import Queue
import SQLKit
import Store
import Testing

@Suite("Queue: durable spool, local delivery, recovery, cluster leases")
struct QueueDeliveryTests {
    /// A migrated site on a throw-away database: directory, store and queue in one folder.
    struct Fixture {
        let directory: Directory
        let store: MailStore
        let queue: MailQueue
        let folder: TemporaryFolder
        let logger = Logger(label: "test")

        func runner(_ schedule: RetrySchedule = RetrySchedule(first: .seconds(1))) -> QueueRunner {
            QueueRunner(queue: queue, store: store, schedule: schedule, logger: logger)
        }

        func account(_ address: String, quota: Int64 = 0) async throws -> Account {
            let account = try await directory.addAccount(address, password: try StoredPassword("{PLAIN}x"), quotaBytes: quota)
            try await store.provision(account: account)
            return account
        }

        /// Spools `body` for `accounts` the way the SMTP server does.
        @discardableResult
        func enqueue(_ body: String, to accounts: [Account], sender: String = "s@remote.example") async throws -> (
            String, [Int64]
        ) {
            let (id, file) = try queue.openSpoolFile()
            try file.write(Array(body.utf8))
            let deliveries = accounts.map {
                QueuedDelivery(recipient: $0.address, kind: .local, accountID: $0.id, target: $0.address)
            }
            let rows = try await queue.commit(
                id: id, file: file,
                envelope: QueuedEnvelope(reversePath: try MailAddress(parsing: sender), clientIP: "192.0.2.1", helo: "c"),
                deliveries: deliveries)
            return (id, rows)
        }
    }

    static func with(_ dialect: Database.Dialect, _ body: (Fixture) async throws -> Void) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations + QueueSchema.migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let logger = Logger(label: "test")
            let fixture = Fixture(
                directory: directory, store: MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger),
                queue: MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "n1", logger: logger),
                folder: folder)
            try fixture.queue.prepare()
            try await body(fixture)
        }
    }

    @Test("a committed message is delivered once to each mailbox and leaves the queue", arguments: TestDatabases.dialects)
    func deliversAndCleansUp(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let bob = try await f.account("bob@example.org")
            let (id, _) = try await f.enqueue("Subject: hi\r\n\r\nbody\r\n", to: [alice, bob])
            #expect(try await f.queue.size() == (1, 2))
            #expect(try await f.runner().runOnce() == 2)
            for account in [alice, bob] {
                let inbox = try #require(try await f.store.mailbox(accountID: account.id, name: "INBOX"))
                let messages = try await f.store.messages(mailboxID: inbox.id)
                #expect(messages.count == 1)
                let content = String(decoding: try Array(contentsOf: messages[0].path), as: UTF8.self)
                #expect(
                    content
                        == "Return-Path: <s@remote.example>\r\nDelivered-To: \(account.address)\r\nSubject: hi\r\n\r\nbody\r\n")
            }
            #expect(try await f.queue.size() == (0, 0))
            #expect(!FileManager.default.fileExists(atPath: f.queue.spoolPath("msg/\(id)")))
        }
    }

    @Test("redelivery after a crash between append and bookkeeping does not duplicate", arguments: TestDatabases.dialects)
    func idempotentRedelivery(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let (id, rows) = try await f.enqueue("Subject: once\r\n\r\nx\r\n", to: [alice])
            // The append happened, then the process died before recording the delivery.
            let prefix = Array(TraceHeaders.finalDelivery(reversePath: "s@remote.example", deliveredTo: alice.address).utf8)
            _ = try await f.store.append(
                accountID: alice.id, mailbox: "INBOX", prefix: prefix, sourceFile: f.queue.spoolPath("msg/\(id)"),
                deliveryKey: "\(id)/\(rows[0])")
            // After restart the runner tries again: the store recognises the delivery.
            #expect(try await f.runner().deliverNow(messageID: id) == [rows[0]: .delivered])
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(try await f.store.messages(mailboxID: inbox.id).count == 1)
            #expect(try await f.queue.size() == (0, 0))
        }
    }

    @Test("quota and missing mailboxes fail permanently; other errors are retried", arguments: TestDatabases.dialects)
    func outcomes(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let small = try await f.account("small@example.org", quota: 10)
            let ghost = try await f.directory.addAccount("ghost@example.org", password: try StoredPassword("{PLAIN}x"))
            let (id, rows) = try await f.enqueue(
                "Subject: big\r\n\r\n" + String(repeating: "x", count: 100) + "\r\n", to: [small, ghost])
            let outcomes = try await f.runner().deliverNow(messageID: id)
            guard case .failed(let quota) = outcomes[rows[0]], case .failed(let missing) = outcomes[rows[1]] else {
                Issue.record("expected two permanent failures, got \(outcomes)")
                return
            }
            #expect(quota.code == 552 && quota.enhancedStatus == .init(5, 2, 2))
            #expect(missing.code == 550 && missing.enhancedStatus == .init(5, 1, 1))
            #expect(quota.description == "552 5.2.2 small@example.org: mailbox full")
            // Failed deliveries stay queued (for the bounce) rather than vanish.
            #expect(try await f.queue.size().messages == 1)
        }
    }

    @Test("two runners (two cluster nodes) never deliver the same message twice", arguments: TestDatabases.dialects)
    func leases(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            for i in 0..<30 { try await f.enqueue("Subject: \(i)\r\n\r\nx\r\n", to: [alice]) }
            let a = f.runner()
            let b = QueueRunner(
                queue: MailQueue(
                    database: f.queue.database, spoolDirectory: f.queue.spoolDirectory, nodeID: "n2", logger: f.logger),
                store: MailStore(database: f.queue.database, root: f.folder.path + "/mail", nodeID: "n2", logger: f.logger),
                logger: f.logger)
            async let x = a.runOnce(limit: 20)
            async let y = b.runOnce(limit: 20)
            let handled = try await x + y
            let rest = try await a.runOnce()
            #expect(handled + rest == 30)
            let inbox = try #require(try await f.store.mailbox(accountID: alice.id, name: "INBOX"))
            #expect(try await f.store.messages(mailboxID: inbox.id).count == 30)
        }
    }

    @Test(
        "recovery drops unfinished spool files and never-acknowledged ones, keeps queued mail",
        arguments: [Database.Dialect.sqlite])
    func recovery(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let (half, file) = try f.queue.openSpoolFile()
            try file.write(Array("Subject: half".utf8))
            try await f.enqueue("Subject: queued\r\n\r\nx\r\n", to: [alice])
            let runner = f.runner()
            try await runner.recover()
            #expect(!FileManager.default.fileExists(atPath: f.queue.spoolPath("tmp/\(half)")))
            #expect(try await f.queue.size() == (1, 1))
            #expect(try await runner.runOnce() == 1)
        }
    }
}

extension Array where Element == UInt8 {
    init(contentsOf path: String) throws {
        self = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

extension QueueDeliveryTests {
    @Test("a message left behind by a crash after its last delivery is finished at recovery", arguments: TestDatabases.dialects)
    func finishesCompletedAfterCrash(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let alice = try await f.account("alice@example.org")
            let (id, _) = try await f.enqueue("Subject: done\r\n\r\nx\r\n", to: [alice])
            // The deliveries were recorded, then the process died before removing the message.
            try await f.queue.database.withConnection { db in
                try await db.raw("UPDATE queue_recipient SET status = 'delivered'").run()
            }
            #expect(try await f.queue.size() == (1, 0))
            try await f.runner().recover()
            #expect(try await f.queue.size() == (0, 0))
            #expect(!FileManager.default.fileExists(atPath: f.queue.spoolPath("msg/\(id)")))
        }
    }
}
