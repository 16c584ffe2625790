import Core
import Directory
import Logging
import SQLKit

/// Mailboxes and messages: message bytes in Maildir++ files under `root`, and an SQL index that
/// is authoritative for UIDVALIDITY, UIDNEXT, UIDs, flags, modseq, internal date and size.
///
/// Several nodes may share one database and one file system: file names carry the node id, and
/// UIDs and modseqs are allocated in the database, one transaction per change.
public final class MailStore: Sendable {
    public let database: Database
    /// `<data_dir>/mail`; maildirs are `<root>/<domain>/<local part>/`.
    public let root: String
    public let nodeID: String
    public let notifier: any MailboxNotifier
    let logger: Logger
    let writer: MessageWriter
    /// Appends that end at nearly the same moment share their directories' fsyncs and one index
    /// transaction.
    let groupCommit: GroupCommit
    /// Written with each message row, in the same transaction (`MessageCompanion`).
    let companions: [any MessageCompanion]
    /// Seconds an expunged message (or a deleted mailbox's) is kept for undelete; 0 keeps none.
    public let undeleteRetention: Int64
    /// The indexes of recently opened mailboxes, shared by the sessions that open them (`states`).
    let indexCache = MailboxIndexCache()

    public init(
        database: Database, root: String, nodeID: String, notifier: any MailboxNotifier = LocalMailboxNotifier(),
        companions: [any MessageCompanion] = [], undeleteRetention: Int64 = 0, logger: Logger
    ) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.database = database
        self.root = root
        self.nodeID = nodeID
        self.notifier = notifier
        self.companions = companions
        self.undeleteRetention = max(0, undeleteRetention)
        self.logger = logger
        self.writer = MessageWriter(namer: MaildirFileNamer(nodeID: nodeID))
        self.groupCommit = GroupCommit(database: database)
    }

    // MARK: Queries

    /// The account's mailboxes, INBOX first, then by name; empty when not provisioned.
    public func mailboxes(accountID: Int64) async throws -> [MailboxInfo] {
        let list = try await database.withConnection { db in
            try await db.raw(Self.mailboxSelect("b.account_id = \(bind: accountID)")).all().map(Self.mailboxInfo)
        }
        return list.sorted { ($0.name == "INBOX" ? 0 : 1, $0.name) < ($1.name == "INBOX" ? 0 : 1, $1.name) }
    }

    /// One mailbox by name (`INBOX` in any case, RFC 9051 §5.1), or nil.
    public func mailbox(accountID: Int64, name: String) async throws -> MailboxInfo? {
        let name = MaildirPath.canonicalMailboxName(name)
        return try await database.withConnection { db in
            try await db.raw(Self.mailboxSelect("b.account_id = \(bind: accountID) AND b.name = \(bind: name)")).first()
                .map(Self.mailboxInfo)
        }
    }

    /// Bytes used by the account's messages (the sum of their sizes).
    public func usage(accountID: Int64) async throws -> Int64 {
        try await storageUsage(accountID: accountID).usedBytes
    }

    /// Bytes and messages stored, and the account's quota (0 = unlimited).
    public func storageUsage(accountID: Int64) async throws -> StorageUsage {
        let row = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT s.used_bytes, s.message_count, a.quota_bytes FROM store_account s
                JOIN account a ON a.id = s.account_id WHERE s.account_id = \(bind: accountID)
                """
            ).first()
        }
        guard let row else { throw StoreError.notProvisioned(accountID) }
        return StorageUsage(
            usedBytes: try row.decode(column: "used_bytes", as: Int64.self),
            messageCount: try row.decode(column: "message_count", as: Int64.self),
            quotaBytes: try row.decode(column: "quota_bytes", as: Int64.self))
    }

    /// The mailbox's messages, by UID.
    public func messages(mailboxID: Int64) async throws -> [StoredMessage] {
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT m.uid, m.modseq, m.size, m.internal_date, m.flags, m.file, s.maildir FROM message m
                JOIN mailbox b ON b.id = m.mailbox_id JOIN store_account s ON s.account_id = b.account_id
                WHERE m.mailbox_id = \(bind: mailboxID) ORDER BY m.uid
                """
            ).all()
        }
        return try rows.map { row in
            StoredMessage(
                mailboxID: mailboxID, uid: try Self.uint32(row, "uid"), modSeq: try row.decode(column: "modseq", as: Int64.self),
                size: try row.decode(column: "size", as: Int64.self),
                internalDate: try row.decode(column: "internal_date", as: Int64.self),
                flags: MessageFlags.decode(try row.decode(column: "flags", as: String.self)),
                path: absolute(
                    maildir: try row.decode(column: "maildir", as: String.self),
                    file: try row.decode(column: "file", as: String.self)))
        }
    }

    // MARK: Paths and rows

    func absolute(maildir: String) -> String { root + "/" + maildir }

    /// The absolute path of a message file (`message.file`) of the account whose maildir is `maildir`.
    public func absolute(maildir: String, file: String) -> String { root + "/" + maildir + "/" + file }

    func folderPath(maildir: String, folder: String) -> String {
        folder.isEmpty ? absolute(maildir: maildir) : absolute(maildir: maildir) + "/" + folder
    }

    /// The mailboxes matching `condition`, as `mailboxInfo` reads them; without `counts`, the message
    /// and unseen counts (which read every message's index entry) are 0 for the caller to fill in.
    static func mailboxSelect(_ condition: SQLQueryString, counts: Bool = true) -> SQLQueryString {
        let counted: SQLQueryString =
            counts
            ? """
            (SELECT COUNT(*) FROM message m WHERE m.mailbox_id = b.id) AS message_count,
              (SELECT COUNT(*) FROM message m WHERE m.mailbox_id = b.id AND NOT m.seen) AS unseen_count
            """
            : "0 AS message_count, 0 AS unseen_count"
        return """
            SELECT b.id, b.account_id, b.name, b.uidvalidity, b.uidnext, b.highest_modseq, b.special_use,
              EXISTS (SELECT 1 FROM mailbox_subscription s WHERE s.account_id = b.account_id AND s.name = b.name) AS subscribed,
              \(counted),
              (SELECT COUNT(*) FROM message m WHERE m.mailbox_id = b.id AND m.uid >= b.first_recent_uid) AS recent_count
            FROM mailbox b WHERE \(condition)
            """
    }

    static func mailboxInfo(_ row: any SQLRow) throws -> MailboxInfo {
        MailboxInfo(
            id: try row.decode(column: "id", as: Int64.self),
            accountID: try row.decode(column: "account_id", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            uidValidity: try uint32(row, "uidvalidity"),
            uidNext: try uint32(row, "uidnext"),
            highestModSeq: try row.decode(column: "highest_modseq", as: Int64.self),
            specialUse: try Self.optional(row, "special_use", as: String.self).flatMap(SpecialUse.init(rawValue:)),
            subscribed: try row.decode(column: "subscribed", as: Bool.self),
            messageCount: Int(try row.decode(column: "message_count", as: Int64.self)),
            unseenCount: Int(try row.decode(column: "unseen_count", as: Int64.self)),
            recentCount: Int(try row.decode(column: "recent_count", as: Int64.self)))
    }

    static func optional<T: Decodable>(_ row: any SQLRow, _ column: String, as type: T.Type) throws -> T? {
        try row.decodeNil(column: column) ? nil : row.decode(column: column, as: type)
    }

    static func uint32(_ row: any SQLRow, _ column: String) throws -> UInt32 {
        let value = try row.decode(column: column, as: Int64.self)
        guard let exact = UInt32(exactly: value) else { throw StoreError.io("\(column) \(value) out of range") }
        return exact
    }
}
