import Core
import Directory
import Filter
import Foundation
import Logging
import PostaTestSupport
import Queue
import Store

@testable import SMTP

/// A submission receiver over a real directory, store and queue (SQLite or PostgreSQL), for the
/// tests of `SMTPReceiver.submitLocally`: example.org is local, with the accounts alice and bob.
struct LocalSubmissionFixture {
    let receiver: SMTPReceiver
    let logger = Logger(label: "test")
    var directory: Directory { receiver.directory }
    var store: MailStore { receiver.store }
    var queue: MailQueue { receiver.queue }

    static let limits = Limits()
    static let browser = "192.0.2.7"

    static func with(
        _ dialect: Database.Dialect, signer: (any MessageSigner)? = nil, policy: (any SMTPPolicy)? = nil,
        watch: (any SubmissionWatch)? = nil, counts: (any DailyCounting)? = nil, filter: FilterSettings? = nil,
        _ body: (LocalSubmissionFixture) async throws -> Void
    ) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(DirectorySchema.migrations + StoreSchema.migrations + QueueSchema.migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let logger = Logger(label: "test")
            let directory = Directory(database: db)
            try await directory.addDomain("example.org")
            let store = MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger)
            let queue = MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "n1", logger: logger)
            try queue.prepare()
            let receiver = SMTPReceiver(
                mode: .submission, hostname: "mail.example.org", directory: directory, store: store, queue: queue,
                runner: QueueRunner(queue: queue, store: store, logger: logger),
                authenticator: Authenticator(directory: directory, loginLog: LoginLog(database: db)), logger: logger)
            let fixture = LocalSubmissionFixture(
                receiver: receiver.withSigning(signer).withPolicy(policy).withSubmissionWatch(watch).withDailyCounts(counts)
                    .withFiltering(
                        filter.flatMap { FilterChain(settings: $0, maxMessageSize: 1 << 20, logger: logger) }.map {
                            ReceiverFiltering(
                                chain: $0, quarantine: QuarantineStore(database: db, directory: folder.path + "/quarantine"),
                                external: false)
                        }))
            for address in ["alice@example.org", "bob@example.org"] { try await fixture.account(address) }
            try await body(fixture)
        }
    }

    @discardableResult
    func account(_ address: String) async throws -> Account {
        let account = try await directory.addAccount(address, password: try StoredPassword("{PLAIN}x"))
        try await store.provision(account: account)
        return account
    }

    func submit(
        as user: String = "alice@example.org", from reversePath: String = "alice@example.org", to recipients: [String],
        _ message: String, limits: Limits = limits
    ) async -> LocalSubmissionResult {
        await receiver.submitLocally(
            LocalSubmission(
                user: user, clientIP: Self.browser, reversePath: reversePath, recipients: recipients,
                message: Array(message.utf8)),
            limits: limits, logger: logger)
    }

    /// Files in the spool (being received, or queued): none after a refusal.
    func spoolFiles() throws -> [String] {
        try ["tmp", "msg"].flatMap { folder in
            try FileManager.default.contentsOfDirectory(atPath: "\(queue.spoolDirectory)/\(folder)")
        }
    }

    /// Nothing queued and no file left: what a refusal must leave.
    func isUntouched() async throws -> Bool {
        try await queue.entries().isEmpty && spoolFiles().isEmpty
    }

    /// The delivered messages in `address`'s INBOX, as text.
    func inbox(_ address: String) async throws -> [String] {
        guard let account = try await directory.account(address),
            let inbox = try await store.mailbox(accountID: account.id, name: "INBOX")
        else { return [] }
        return try await store.messages(mailboxID: inbox.id).map {
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: $0.path)), as: UTF8.self)
        }
    }

    static func message(from: String = "alice@example.org", to: String = "bob@example.org", body: String = "Hello.")
        -> String
    {
        "From: \(from)\r\nTo: \(to)\r\nSubject: test\r\nMessage-ID: <1@example.org>\r\n\r\n\(body)\r\n"
    }
}

/// Signs with a field carrying the length of what it was given, and keeps what it was given, so a
/// test can check what was signed and where the field went.
final class RecordingSigner: MessageSigner, @unchecked Sendable {
    private let lock = NSLock()
    private var signed: [[UInt8]] = []

    var messages: [[UInt8]] { lock.withLock { signed } }

    func signatureFields(for message: [UInt8], logger: Logger) async -> String? {
        lock.withLock { signed.append(message) }
        return "DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=test; l=\(message.count)\r\n"
    }

    func signatureFields(for message: [UInt8], domain: String, logger: Logger) async -> String? {
        await signatureFields(for: message, logger: logger)
    }
}

/// A policy quota of `limit` messages per authenticated user, counted at the end of the data as the
/// policy engine does (docs/policy.md), refusing with `452 4.7.1` above it.
final class QuotaPolicy: SMTPPolicy, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: [String: Int] = [:]
    let limit: Int
    private(set) var endOfDataSizes: [Int64] = []

    init(limit: Int) { self.limit = limit }

    func recipient(_ request: SMTPRecipientRequest) async -> SMTPPolicyOutcome { .accept(SMTPMessagePolicy()) }

    func endOfData(envelope: SMTPEnvelope, size: Int64) async -> SMTPPolicyOutcome {
        lock.withLock {
            endOfDataSizes.append(size)
            let user = envelope.authenticatedUser ?? ""
            guard sent[user, default: 0] < limit else {
                return .refuse(SMTPReply(452, .init(4, 7, 1), "Message quota exceeded for \(user)"))
            }
            sent[user, default: 0] += 1
            return .accept(SMTPMessagePolicy())
        }
    }
}

/// Containment as the submission server sees it: refuses the suspended users, records what was accepted.
final class RecordingWatch: SubmissionWatch, @unchecked Sendable {
    struct Accepted: Equatable {
        var user: String
        var clientIP: String
        var queueID: String
        var recipients: [String]
    }

    private let lock = NSLock()
    private var records: [Accepted] = []
    let suspended: Set<String>

    init(suspended: Set<String> = []) { self.suspended = suspended }

    var accepted: [Accepted] { lock.withLock { records } }

    func refusal(user: String, logger: Logger) async -> SMTPReply? {
        suspended.contains(user) ? SMTPReply(550, .init(5, 7, 1), "Account \(user) is suspended") : nil
    }

    func accepted(user: String, clientIP: String, queueID: String, recipients: [String], logger: Logger) async {
        lock.withLock { records.append(Accepted(user: user, clientIP: clientIP, queueID: queueID, recipients: recipients)) }
    }
}

/// The day's counts as the receiver adds them.
final class RecordingCounts: DailyCounting, @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int64] = [:]

    func add(_ amount: Int64, to counter: DailyCounter, key: String) {
        lock.withLock { counts["\(counter.rawValue) \(key)", default: 0] += amount }
    }

    subscript(_ counter: DailyCounter, key key: String) -> Int64 { lock.withLock { counts["\(counter.rawValue) \(key)"] ?? 0 } }
}
