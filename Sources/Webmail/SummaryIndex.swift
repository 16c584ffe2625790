import Core
import SQLKit
import Store

/// The message list's index: `webmail_summary` rows beside the store's `message` rows, so that a
/// folder of 50,000 messages is sorted and paged by the database. Rows are made from the message
/// headers the first time a folder is listed after mail arrived (new mail: a few rows; a folder
/// never listed before: all of them, once).
struct SummaryIndex: Sendable {
    let database: Database
    let store: MailStore

    /// Messages summarised per round trip while filling.
    static let batch = 500

    /// Adds the summaries the mailbox's messages lack.
    func fill(mailboxID: Int64) async throws {
        while true {
            let missing = try await database.withConnection { db in
                try await db.raw(
                    """
                    SELECT m.id, m.file, m.internal_date, s.maildir FROM message m
                    JOIN mailbox b ON b.id = m.mailbox_id JOIN store_account s ON s.account_id = b.account_id
                    LEFT JOIN webmail_summary w ON w.message_id = m.id
                    WHERE m.mailbox_id = \(bind: mailboxID) AND w.message_id IS NULL
                    ORDER BY m.id LIMIT \(bind: Self.batch)
                    """
                ).all()
            }
            if missing.isEmpty { return }
            var rows: [(id: Int64, arrived: Int64, summary: HeaderSummary?)] = []
            for row in missing {
                let id = try row.decode(column: "id", as: Int64.self)
                let path = store.absolute(
                    maildir: try row.decode(column: "maildir", as: String.self),
                    file: try row.decode(column: "file", as: String.self))
                // A file that cannot be read (removed meanwhile) gets an empty summary, shown as such.
                let header = try? await MessageFileReader.readMessageHeader(path)
                rows.append(
                    (id, try row.decode(column: "internal_date", as: Int64.self), header.map(HeaderSummary.init(header:))))
            }
            try await database.transaction { [rows] db in
                for row in rows {
                    let summary = row.summary ?? HeaderSummary(header: [])
                    let subject = summary.subject
                    try await db.raw(
                        """
                        INSERT INTO webmail_summary (message_id, mailbox_id, sent_at, from_name, from_address, from_sort,
                          to_text, subject, subject_sort, has_attachment, thread_key)
                        VALUES (\(bind: row.id), \(bind: mailboxID), \(bind: summary.sentAt ?? row.arrived),
                          \(bind: summary.fromName), \(bind: summary.fromAddress), \(bind: summary.fromName.lowercased()),
                          \(bind: summary.to), \(bind: subject), \(bind: HeaderSummary.baseSubject(subject)),
                          \(bind: summary.hasAttachment), \(bind: summary.threadKey ?? "#\(row.id)"))
                        ON CONFLICT (message_id) DO NOTHING
                        """
                    ).run()
                }
            }
            if missing.count < Self.batch { return }
        }
    }
}
