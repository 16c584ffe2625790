import Core
import Directory
import Foundation
import Logging
import PostaTestSupport
import Store

@testable import Webmail

/// A migrated database of each dialect with one domain and one provisioned account (`ann`), a
/// mail root in a fresh folder, the store and the webmail over them.
struct WebmailFixture: Sendable {
    let database: Database
    let directory: Directory
    let store: MailStore
    let webmail: Webmail
    let ann: Account

    static let logger: Logger = {
        var logger = Logger(label: "webmail-test")
        logger.logLevel = .error
        return logger
    }()

    @discardableResult
    /// `summariesWithMessages`: the store writes summaries with each message, as `posta serve`'s
    /// does; without, they are left to the webmail (mail stored before it existed).
    static func with<R: Sendable>(
        _ dialect: Database.Dialect, summariesWithMessages: Bool = true, _ body: (WebmailFixture) async throws -> R
    ) async throws -> R {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        return try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations + WebmailSchema.migrations)
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let store = MailStore(
                database: db, root: folder.path + "/mail", nodeID: "node1",
                companions: summariesWithMessages ? [SummaryCompanion()] : [], logger: logger)
            let ann = try await directory.addAccount(
                "ann@example.org", password: try StoredPassword("{PLAIN}secret"), displayName: "Ann Example")
            try await store.provision(account: ann)
            let webmail = Webmail(database: db, directory: directory, store: store, logger: logger)
            return try await body(WebmailFixture(database: db, directory: directory, store: store, webmail: webmail, ann: ann))
        }
    }

    /// Delivers a message into one of Ann's folders; returns its UID.
    @discardableResult
    func deliver(_ text: String, to folder: String = "INBOX", flags: [String] = [], date: Int64? = nil) async throws -> UInt32 {
        let bytes = Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
        return try await store.append(accountID: ann.id, mailbox: folder, data: bytes, flags: flags, internalDate: date).uid
    }

    /// A simple message.
    static func message(
        from: String = "Bob <bob@example.net>", to: String = "ann@example.org", subject: String,
        date: String = "Thu, 03 Dec 2026 10:00:00 +0000",
        extra: String = "", body: String = "Hello."
    ) -> String {
        "From: \(from)\nTo: \(to)\nSubject: \(subject)\nDate: \(date)\nMessage-ID: <\(UUID().uuidString)@example.net>\n\(extra)\n\(body)\n"
    }
}

/// A `WebmailSending` that records what it was given and answers as told.
final class RecordingSender: WebmailSending, @unchecked Sendable {
    let maxMessageBytes: Int
    let answer: SendOutcome
    private let lock = NSLock()
    private var _sent: [OutgoingMessage] = []

    init(maxMessageBytes: Int = 10 << 20, answer: SendOutcome = .accepted(queueID: "Q1")) {
        self.maxMessageBytes = maxMessageBytes
        self.answer = answer
    }

    var sent: [OutgoingMessage] { lock.withLock { _sent } }

    func send(_ message: OutgoingMessage, account: Account, clientIP: String) async -> SendOutcome {
        lock.withLock { _sent.append(message) }
        return answer
    }
}
