import Core
import Directory
import Foundation
import Logging
import MIME
import SQLKit
import Store

/// Which messages of one account a partial restore takes from a backup. Every given criterion
/// must match; text matches are case-insensitive substrings of the decoded header, as IMAP SEARCH
/// FROM and SUBJECT (RFC 9051 §6.4.4).
public struct MessageSelection: Sendable, Equatable {
    /// The account's address in the live site (and in the backup).
    public var account: String
    /// One mailbox by name; nil for all of the account's mailboxes except `target`.
    public var folder: String?
    /// Internal date at or after (seconds since 1970).
    public var since: Int64?
    /// Internal date before (seconds since 1970).
    public var before: Int64?
    public var from: String?
    public var subject: String?
    /// The live mailbox the copies go to (created when missing).
    public var target: String

    public init(
        account: String, folder: String? = nil, since: Int64? = nil, before: Int64? = nil, from: String? = nil,
        subject: String? = nil, target: String = "Restored"
    ) {
        self.account = account
        self.folder = folder
        self.since = since
        self.before = before
        self.from = from
        self.subject = subject
        self.target = target
    }
}

/// What a partial restore found and did.
public struct MessageRestoreReport: Codable, Sendable, Equatable {
    public var backup: String
    public var createdAt: String
    public var account: String
    public var target: String
    public var dryRun: Bool
    /// Every message that matched, in mailbox and UID order.
    public var messages: [Item]
    /// Appended to `target` now.
    public var restored: Int
    /// Matched but restored by an earlier run (still in `target`).
    public var alreadyRestored: Int

    public struct Item: Codable, Sendable, Equatable {
        /// The mailbox it was in when the backup was made, and its UID there.
        public var mailbox: String
        public var uid: Int64
        public var internalDate: Int64
        public var flags: [String]
        public var subject: String?
        public var from: String?
        /// Its UID in `target` (nil on a dry run).
        public var restoredUID: UInt32?
    }
}

extension BackupService {
    /// Restores messages of one account from the backup at `path` (or the newest in a folder of
    /// backups) into the mailbox `selection.target` of the live site, which keeps running.
    ///
    /// The backup's database snapshot is read, never changed (SQLite opened with writes refused; a
    /// PostgreSQL dump's tables loaded into memory). Messages are chosen by mailbox and internal
    /// date in the snapshot, then by From and Subject read from their files in the backup, and
    /// appended through `MailStore.append` with their flags (`\Recent` is session state, never
    /// stored) and internal date; nothing else in the live site is touched. Each append carries
    /// the delivery key `restore:<maildir>/<file>`: the message's path, which names the same bytes
    /// for ever, so a second run (from this backup or another holding the message) appends nothing
    /// for a message whose restored copy is still in the live site. Quota is not enforced: an
    /// administrator restores what the user had.
    public static func restoreMessages(
        _ path: String, selection: MessageSelection, store: MailStore, directory: Directory, dryRun: Bool = false,
        pgRestore: String? = nil, logger: Logger = Logger(label: "posta.backup")
    ) async throws -> MessageRestoreReport {
        let folder = try resolveBackup(trimmed(path))
        guard let manifest = try BackupManifest.read(backup: folder) else { throw BackupError.incomplete(folder) }
        guard let account = try await directory.account(selection.account) else {
            throw BackupError.restoreRefused("no account \(selection.account) in the site")
        }
        let candidates = try await withSnapshot(
            folder + "/" + manifest.database.path, kind: manifest.database.kind, pgRestore: pgRestore, logger: logger
        ) { db in try await Self.candidates(in: db, address: account.address, selection: selection) }

        var report = MessageRestoreReport(
            backup: folder, createdAt: manifest.createdAt, account: account.address, target: selection.target,
            dryRun: dryRun, messages: [], restored: 0, alreadyRestored: 0)
        var chosen: [(Candidate, MessageRestoreReport.Item)] = []
        for candidate in candidates {
            let file = folder + "/data/mail/" + candidate.path
            let header = try await BackupFiles.blocking { try Self.header(of: file) }
            let message = MIMEMessage(header)
            if let from = selection.from, !message.addressField("From", contains: from) { continue }
            if let subject = selection.subject, !message.headerField("Subject", contains: subject) { continue }
            let item = MessageRestoreReport.Item(
                mailbox: candidate.mailbox, uid: candidate.uid, internalDate: candidate.internalDate, flags: candidate.flags,
                subject: message.root.header.field("Subject").map(\.decodedValue),
                from: message.root.header.field("From").map(\.decodedValue), restoredUID: nil)
            chosen.append((candidate, item))
        }
        guard !dryRun, !chosen.isEmpty else {
            report.messages = chosen.map(\.1)
            return report
        }

        let target: MailboxInfo
        if let existing = try await store.mailbox(accountID: account.id, name: selection.target) {
            target = existing
        } else {
            do {
                target = try await store.createMailbox(accountID: account.id, name: selection.target, subscribe: true)
            } catch StoreError.mailboxExists {
                // Created meanwhile (the user, over IMAP).
                guard let existing = try await store.mailbox(accountID: account.id, name: selection.target) else {
                    throw StoreError.mailboxExists(selection.target)
                }
                target = existing
            }
        }
        // Appends made now get UIDs from here on; a key already used returns its earlier, lower UID.
        let firstNew = target.uidNext
        for (candidate, item) in chosen {
            var item = item
            let result = try await store.append(
                accountID: account.id, mailbox: selection.target, prefix: [],
                sourceFile: folder + "/data/mail/" + candidate.path, flags: candidate.flags,
                internalDate: candidate.internalDate, deliveryKey: "restore:" + candidate.path, enforceQuota: false)
            if result.mailboxID == target.id && result.uid >= firstNew {
                report.restored += 1
            } else {
                report.alreadyRestored += 1
            }
            item.restoredUID = result.uid
            report.messages.append(item)
        }
        logger.info(
            "restored messages from a backup",
            metadata: [
                "backup": "\(folder)", "account": "\(account.address)", "restored": "\(report.restored)",
                "already": "\(report.alreadyRestored)",
            ])
        return report
    }

    /// A message of the account in the snapshot that matches the selection's mailbox and dates.
    struct Candidate: Sendable {
        let mailbox: String
        let uid: Int64
        /// Relative to `mail/` (the maildir and the file).
        let path: String
        let internalDate: Int64
        let flags: [String]
    }

    /// Reads the candidates from a snapshot. Numbers are `CAST`: a dump loaded into memory holds text.
    static func candidates(in db: any SQLDatabase, address: String, selection: MessageSelection) async throws
        -> [Candidate]
    {
        var conditions: [SQLQueryString] = ["lower(a.address) = lower(\(bind: address))"]
        if let name = selection.folder {
            conditions.append("b.name = \(bind: name.uppercased() == "INBOX" ? "INBOX" : name)")
        } else {
            conditions.append("b.name <> \(bind: selection.target)")
        }
        if let since = selection.since { conditions.append("CAST(m.internal_date AS BIGINT) >= \(bind: since)") }
        if let before = selection.before { conditions.append("CAST(m.internal_date AS BIGINT) < \(bind: before)") }
        let query: SQLQueryString = """
            SELECT b.name AS mailbox, CAST(m.uid AS BIGINT) AS uid, s.maildir AS maildir, m.file AS file,
              CAST(m.internal_date AS BIGINT) AS internal_date, m.flags AS flags
            FROM message m JOIN mailbox b ON b.id = m.mailbox_id JOIN store_account s ON s.account_id = b.account_id
            JOIN account a ON a.id = b.account_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY b.name, CAST(m.uid AS BIGINT)
            """
        return try await db.raw(query).all().map { row in
            let path = try row.decode(column: "maildir", as: String.self) + "/" + row.decode(column: "file", as: String.self)
            guard BackupFileSet.isContained(path) else { throw BackupError.unsafePath(set: "mail", path: path) }
            return Candidate(
                mailbox: try row.decode(column: "mailbox", as: String.self), uid: try row.decode(column: "uid", as: Int64.self),
                path: path, internalDate: try row.decode(column: "internal_date", as: Int64.self),
                flags: try row.decode(column: "flags", as: String.self).split(separator: " ").map(String.init)
                    .filter { $0.lowercased() != "\\recent" })
        }
    }

    /// The header section of a message file (up to and including the empty line that ends it),
    /// at most 256 KiB of it.
    static func header(of path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BackupError.unreadable(path) }
        defer { try? handle.close() }
        var bytes: [UInt8] = []
        while bytes.count < 256 * 1024 {
            guard let chunk = try handle.read(upToCount: 16 * 1024), !chunk.isEmpty else { break }
            let start = max(0, bytes.count - 3)
            bytes += chunk
            if let end = Self.headerEnd(bytes, from: start) { return Array(bytes[..<end]) }
        }
        return bytes
    }

    /// The index just after the first `\r\n\r\n` or `\n\n` at or after `from`.
    static func headerEnd(_ bytes: [UInt8], from: Int) -> Int? {
        var index = from
        while index + 1 < bytes.count {
            if bytes[index] == 10 {
                if bytes[index + 1] == 10 { return index + 2 }
                if bytes[index + 1] == 13, index + 2 < bytes.count, bytes[index + 2] == 10 { return index + 3 }
            }
            index += 1
        }
        return nil
    }
}

extension MessageSelection {
    /// `YYYY-MM-DD` (midnight UTC) or an ISO 8601 time with zone, as seconds since 1970; nil when neither.
    public static func date(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month),
            (1...31).contains(day)
        {
            var components = DateComponents()
            (components.year, components.month, components.day) = (year, month, day)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            return calendar.date(from: components).map { Int64($0.timeIntervalSince1970) }
        }
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }
}
