import Core
import Directory
import Foundation
import Logging
import PostaTestSupport
import Queue
import SQLKit
import Sieve
import Store
import Testing

/// A site with Sieve on a throw-away database: directory, store, queue, scripts and the
/// delivery rules, and a runner that delivers with them.
struct SieveFixture {
    let database: Database
    let directory: Directory
    let store: MailStore
    let queue: MailQueue
    let scripts: SieveScripts
    let rules: SieveDeliveryRules
    let folder: TemporaryFolder
    let logger = Logger(label: "test")

    static func with(
        _ dialect: Database.Dialect, redirectsPerHour: Int = 10, _ body: (SieveFixture) async throws -> Void
    ) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(
                DirectorySchema.migrations + StoreSchema.migrations + QueueSchema.migrations + SieveSchema.migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let logger = Logger(label: "test")
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let queue = MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "n1", logger: logger)
            try queue.prepare()
            let store = MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger)
            let scripts = SieveScripts(database: db, maximumScripts: 3, maximumScriptSize: 4096)
            let outbound = SieveOutbound(
                queue: queue, directory: directory, signer: nil, hostname: "mx.example.org", database: db,
                maximumRedirectsPerHour: redirectsPerHour, logger: logger)
            let rules = SieveDeliveryRules(scripts: scripts, store: store, outbound: outbound, logger: logger)
            try await body(
                SieveFixture(
                    database: db, directory: directory, store: store, queue: queue, scripts: scripts, rules: rules,
                    folder: folder))
        }
    }

    func account(_ address: String) async throws -> Account {
        let account = try await directory.addAccount(address, password: try StoredPassword("{PLAIN}x"))
        try await store.provision(account: account)
        return account
    }

    /// Queues `message` from `sender` to `recipient` and delivers what is due, with the rules.
    func deliver(_ message: String, from sender: String, to recipient: String) async throws {
        let (id, file) = try queue.openSpoolFile()
        try file.write(Array(message.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        let rcpt = try MailAddress(parsing: recipient)
        guard let deliveries = try await MailQueue.deliveries(for: rcpt, directory: directory) else {
            Issue.record("no deliveries for \(recipient)")
            return
        }
        try await queue.commit(
            id: id, file: file,
            envelope: QueuedEnvelope(
                reversePath: sender.isEmpty ? nil : try MailAddress(parsing: sender), body: .eightBitMIME,
                clientIP: "192.0.2.1", helo: "client.example"),
            deliveries: deliveries, deliverNow: true)
        _ = try await runner().deliverNow(messageID: id)
    }

    func runner() -> QueueRunner {
        QueueRunner(queue: queue, store: store, schedule: RetrySchedule(first: .seconds(1)), rules: rules, logger: logger)
    }

    /// The messages in `mailbox` of `address`, in UID order: subject and flags.
    func stored(_ address: String, _ mailbox: String = "INBOX") async throws -> [(subject: String, flags: [String])] {
        guard let account = try await directory.account(address),
            let box = try await store.mailbox(accountID: account.id, name: mailbox)
        else { return [] }
        return try await store.messages(mailboxID: box.id).map { message in
            let text = String(decoding: FileManager.default.contents(atPath: message.path) ?? Data(), as: UTF8.self)
            let subject = text.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("subject:") }
                .map { String($0.dropFirst(8)).trimmingCharacters(in: .whitespaces) }
            return (subject ?? "", Array(message.flags))
        }
    }

    func subjects(_ address: String, _ mailbox: String = "INBOX") async throws -> [String] {
        try await stored(address, mailbox).map(\.subject)
    }

    /// The messages waiting for remote delivery: (reverse path, recipient, file contents).
    func outbound() async throws -> [(from: String, to: String, data: String)] {
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT m.reverse_path, r.target, m.spool_file FROM queue_recipient r JOIN queue_message m ON m.id = r.message_id
                WHERE r.kind = 'remote' ORDER BY m.received_at, m.id
                """
            ).all().map {
                (
                    try $0.decode(column: "reverse_path", as: String.self), try $0.decode(column: "target", as: String.self),
                    try $0.decode(column: "spool_file", as: String.self)
                )
            }
        }
        return rows.map { row in
            let data = FileManager.default.contents(atPath: queue.spoolPath(row.2)).map { String(decoding: $0, as: UTF8.self) }
            return (row.0, row.1, data ?? "")
        }
    }
}
