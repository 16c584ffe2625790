import Core
import Directory
import Foundation
import Lists
import Logging
import MIME
import PostaTestSupport
import Queue
import SQLKit
import Store
import Testing

/// A site with lists on a throw-away database: directory (with the list addresses), store,
/// queue, and a runner whose list transport is the real one.
struct ListFixture {
    let database: Database
    let directory: Directory
    let store: MailStore
    let queue: MailQueue
    let lists: MailingLists
    let transport: ListTransport
    let folder: TemporaryFolder
    let logger = Logger(label: "test")

    static func with(
        _ dialect: Database.Dialect, strictDomains: Set<String> = [], maxHeld: Int = 1000,
        _ body: (ListFixture) async throws -> Void
    ) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(
                DirectorySchema.migrations + StoreSchema.migrations + QueueSchema.migrations + ListsSchema.migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let logger = Logger(label: "test")
            let directory = Directory(database: db, services: [ListAddressService()])
            try await directory.addDomain("example.org")
            let queue = MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "n1", logger: logger)
            try queue.prepare()
            let lists = MailingLists(database: db)
            var settings = ListDeliverySettings(
                webBase: "https://mail.example.org", hostname: "mail.example.org", heldDirectory: folder.path + "/held")
            settings.maxHeld = maxHeld
            let transport = ListTransport(
                lists: lists, directory: directory, queue: queue, settings: settings,
                signer: nil, authorPolicy: StrictDomains(domains: strictDomains), logger: logger)
            try await body(
                ListFixture(
                    database: db, directory: directory,
                    store: MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger), queue: queue,
                    lists: lists, transport: transport, folder: folder))
        }
    }

    func runner() -> QueueRunner {
        QueueRunner(queue: queue, store: store, schedule: RetrySchedule(first: .seconds(1)), lists: transport, logger: logger)
    }

    func account(_ address: String) async throws -> Account {
        let account = try await directory.addAccount(address, password: try StoredPassword("{PLAIN}x"))
        try await store.provision(account: account)
        return account
    }

    /// Queues `text` for `recipient` as SMTP would (resolved through the directory).
    @discardableResult
    func post(_ text: String, to recipient: String = "dept@example.org", from sender: String? = "alice@example.net") async throws
        -> String
    {
        let deliveries = try #require(
            try await MailQueue.deliveries(for: try MailAddress(parsing: recipient), directory: directory))
        let (id, file) = try queue.openSpoolFile()
        try file.write(Array(text.utf8))
        try await queue.commit(
            id: id, file: file,
            envelope: QueuedEnvelope(
                reversePath: try sender.map { try MailAddress(parsing: $0) }, clientIP: "192.0.2.1", helo: "c"),
            deliveries: deliveries)
        return id
    }

    /// Runs the queue until nothing is left to do now (list posts, then the copies they queued).
    func drain() async throws {
        for _ in 0..<5 where try await runner().runOnce() > 0 {}
    }

    /// The messages of `account`'s INBOX, as bytes.
    func inbox(_ account: Account) async throws -> [[UInt8]] {
        guard let box = try await store.mailbox(accountID: account.id, name: "INBOX") else { return [] }
        return try await store.messages(mailboxID: box.id).map { try Array(contentsOf: $0.path) }
    }

    /// Queued messages (not delivered yet) with their reverse paths and targets.
    func queued() async throws -> [(reversePath: String, targets: [String])] {
        try await database.withConnection { db in
            let rows = try await db.raw(
                "SELECT m.id, m.reverse_path, r.target FROM queue_message m JOIN queue_recipient r ON r.message_id = m.id WHERE r.status = 'pending' ORDER BY m.id, r.target"
            ).all()
            var out: [String: (String, [String])] = [:]
            var order: [String] = []
            for row in rows {
                let id = try row.decode(column: "id", as: String.self)
                if out[id] == nil {
                    order.append(id)
                    out[id] = (try row.decode(column: "reverse_path", as: String.self), [])
                }
                out[id]!.1.append(try row.decode(column: "target", as: String.self))
            }
            return order.map { (out[$0]!.0, out[$0]!.1) }
        }
    }
}

/// DMARC policies without DNS: the listed domains publish p=reject.
struct StrictDomains: AuthorPolicyLookup {
    let domains: Set<String>
    func isStrict(authorDomain: String) async -> Bool { domains.contains(authorDomain) }
}

extension Array where Element == UInt8 {
    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        self = [UInt8](data)
    }
}
