import Core
import SQLKit
import Store

/// Writes a message's `webmail_summary` row in the store's own transaction, when the message is
/// delivered, appended or copied (`MessageCompanion`), so the message list never waits for it.
/// Mail stored before the table existed is summarised by `SummaryBackfill`.
public struct SummaryCompanion: MessageCompanion {
    public init() {}

    public func added(_ db: any SQLDatabase, _ message: AddedMessage) async throws {
        try await Self.insert(
            db, messageID: message.id, mailboxID: message.mailboxID, arrived: message.internalDate, size: message.size,
            summary: HeaderSummary(header: message.header))
    }

    /// A copy has what its source has (a source not summarised yet leaves its copy to the backfill).
    public func copied(_ db: any SQLDatabase, mailboxID: Int64, pairs: [(source: Int64, copy: Int64)]) async throws {
        for pair in pairs {
            try await db.raw(
                """
                INSERT INTO webmail_summary (message_id, mailbox_id, sent_at, from_name, from_address, from_sort,
                  to_text, subject, subject_sort, has_attachment, thread_key, size)
                SELECT \(bind: pair.copy), \(bind: mailboxID), sent_at, from_name, from_address, from_sort,
                  to_text, subject, subject_sort, has_attachment, thread_key, size
                FROM webmail_summary WHERE message_id = \(bind: pair.source)
                ON CONFLICT (message_id) DO NOTHING
                """
            ).run()
        }
    }

    /// The row of one message (a message without conversation headers is a conversation of its own).
    static func insert(
        _ db: any SQLDatabase, messageID: Int64, mailboxID: Int64, arrived: Int64, size: Int64, summary: HeaderSummary
    ) async throws {
        let subject = summary.subject
        try await db.raw(
            """
            INSERT INTO webmail_summary (message_id, mailbox_id, sent_at, from_name, from_address, from_sort,
              to_text, subject, subject_sort, has_attachment, thread_key, size)
            VALUES (\(bind: messageID), \(bind: mailboxID), \(bind: summary.sentAt ?? arrived),
              \(bind: summary.fromName), \(bind: summary.fromAddress), \(bind: summary.fromName.lowercased()),
              \(bind: summary.to), \(bind: subject), \(bind: HeaderSummary.baseSubject(subject)),
              \(bind: summary.hasAttachment), \(bind: summary.threadKey ?? "#\(messageID)"), \(bind: size))
            ON CONFLICT (message_id) DO NOTHING
            """
        ).run()
    }
}
