import Core
import SQLKit
import Store

/// The message list's index: `webmail_summary` rows beside the store's `message` rows, so that a
/// folder of 50,000 messages is sorted and paged by the database. Rows are written with each
/// message (`SummaryCompanion`); what lacks one (mail stored before the table existed) is
/// summarised here from the message headers, by `SummaryBackfill` or, a bounded amount, by the
/// request that finds it missing.
struct SummaryIndex: Sendable {
    let database: Database
    let store: MailStore

    /// Messages summarised per transaction while filling.
    static let batch = 500
    /// Filling reads past the shared header cache: a backfill would only push out what sessions use.
    static let uncached = MessageHeaderCache(capacity: 0)

    /// A mailbox's messages and how many of them have no summary, counted in one statement.
    func status(mailboxID: Int64) async throws -> (messages: Int, missing: Int) {
        let row = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT (SELECT COUNT(*) FROM message WHERE mailbox_id = \(bind: mailboxID)) AS messages,
                  (SELECT COUNT(*) FROM webmail_summary WHERE mailbox_id = \(bind: mailboxID)) AS summaries
                """
            ).first()
        }
        guard let row else { return (0, 0) }
        let messages = Int(try row.decode(column: "messages", as: Int64.self))
        return (messages, max(0, messages - Int(try row.decode(column: "summaries", as: Int64.self))))
    }

    /// Mailboxes with messages that have no summary.
    func incompleteMailboxes() async throws -> [Int64] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT b.id FROM mailbox b
                WHERE (SELECT COUNT(*) FROM message m WHERE m.mailbox_id = b.id)
                  <> (SELECT COUNT(*) FROM webmail_summary w WHERE w.mailbox_id = b.id)
                ORDER BY b.id
                """
            ).all(decodingColumn: "id", as: Int64.self)
        }
    }

    /// Summarises up to `limit` of the mailbox's messages that lack one, newest first (what the
    /// first page shows); returns how many it summarised (fewer than `limit`: none is missing).
    @discardableResult
    func fill(mailboxID: Int64, limit: Int = .max) async throws -> Int {
        var filled = 0
        while filled < limit {
            let wanted = min(Self.batch, limit - filled)
            let missing = try await database.withConnection { db in
                try await db.raw(
                    """
                    SELECT m.id, m.file, m.internal_date, m.size, s.maildir FROM message m
                    JOIN mailbox b ON b.id = m.mailbox_id JOIN store_account s ON s.account_id = b.account_id
                    WHERE m.mailbox_id = \(bind: mailboxID)
                      AND NOT EXISTS (SELECT 1 FROM webmail_summary w WHERE w.message_id = m.id)
                    ORDER BY m.id DESC LIMIT \(bind: wanted)
                    """
                ).all()
            }
            if missing.isEmpty { return filled }
            var rows: [(id: Int64, arrived: Int64, size: Int64, summary: HeaderSummary)] = []
            for row in missing {
                let path = store.absolute(
                    maildir: try row.decode(column: "maildir", as: String.self),
                    file: try row.decode(column: "file", as: String.self))
                // A file that cannot be read (removed meanwhile) gets an empty summary, shown as such.
                let header = (try? await MessageFileReader.readMessageHeader(path, cache: Self.uncached)) ?? []
                rows.append(
                    (
                        try row.decode(column: "id", as: Int64.self), try row.decode(column: "internal_date", as: Int64.self),
                        try row.decode(column: "size", as: Int64.self), HeaderSummary(header: header)
                    ))
            }
            try await database.transaction { [rows] db in
                for row in rows {
                    try await SummaryCompanion.insert(
                        db, messageID: row.id, mailboxID: mailboxID, arrived: row.arrived, size: row.size,
                        summary: row.summary)
                }
            }
            filled += rows.count
            if missing.count < Self.batch { return filled }
        }
        return filled
    }
}
