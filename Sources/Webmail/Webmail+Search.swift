import Core
import Directory
import MIME
import SQLKit
import Store

/// What the search form asks for; empty fields match every message.
public struct MessageSearch: Sendable, Hashable {
    public var from = ""
    public var to = ""
    public var subject = ""
    /// Text in the body (text parts, HTML as text, attached messages' headers), as IMAP SEARCH BODY.
    public var body = ""
    /// Sent on or after / before these days (seconds since 1970 of the day's start, UTC).
    public var since: Int64?
    public var before: Int64?
    public var hasAttachment = false

    public init() {}

    public var isEmpty: Bool {
        from.isEmpty && to.isEmpty && subject.isEmpty && body.isEmpty && since == nil && before == nil && !hasAttachment
    }

    /// Whether a term needs the message text, or its header is enough.
    var cost: Int { !body.isEmpty ? 2 : (from.isEmpty && to.isEmpty && subject.isEmpty ? 0 : 1) }
}

extension Webmail {
    /// Messages of a folder matching `search`, newest first, a page at a time. Dates and the
    /// attachment marker narrow the candidates in SQL; the text terms are matched with the same
    /// code as IMAP SEARCH (`MIMEMessage.addressField`, `headerField`, `searchText`: decoded
    /// headers and charsets, case-insensitive substrings). At most `WebmailLimits.searchScan`
    /// candidates are read.
    public func search(_ account: Account, folder: String, _ search: MessageSearch, page: Int, pageSize: Int) async throws
        -> (items: [MessageListItem], total: Int, truncated: Bool)
    {
        for term in [search.from, search.to, search.subject, search.body] where term.utf8.count > WebmailLimits.searchBytes {
            throw WebmailError.invalid("A search term has at most \(WebmailLimits.searchBytes) characters.")
        }
        let box = try await mailbox(account, folder)
        _ = try await summarise(box)
        var condition: SQLQueryString = "w.mailbox_id = \(bind: box.id)"
        if let since = search.since { condition += " AND w.sent_at >= \(bind: since)" }
        if let before = search.before { condition += " AND w.sent_at < \(bind: before)" }
        if search.hasAttachment { condition += " AND w.has_attachment" }
        let rows = try await database.withConnection { [condition] db in
            try await db.raw(
                """
                SELECT m.uid, m.size, m.flags, m.file, s.maildir, w.sent_at, w.from_name, w.from_address, w.to_text,
                  w.subject, w.has_attachment, 1 AS conversation_count
                FROM message m JOIN webmail_summary w ON w.message_id = m.id
                JOIN mailbox b ON b.id = m.mailbox_id JOIN store_account s ON s.account_id = b.account_id
                WHERE \(condition) ORDER BY w.sent_at DESC, w.message_id DESC LIMIT \(bind: WebmailLimits.searchScan + 1)
                """
            ).all()
        }
        var truncated = rows.count > WebmailLimits.searchScan
        var matches: [MessageListItem] = []
        var bytesRead = 0
        for row in rows.prefix(WebmailLimits.searchScan) {
            let item = try Self.listItem(row)
            if search.cost == 2 {
                // Body text: messages too large to search are skipped, and one search reads a bounded total.
                guard item.size <= WebmailLimits.searchMessageBytes else { continue }
                guard bytesRead + Int(item.size) <= WebmailLimits.searchTotalBytes else {
                    truncated = true
                    break
                }
                bytesRead += Int(item.size)
            }
            if search.cost > 0 {
                let path = store.absolute(
                    maildir: try row.decode(column: "maildir", as: String.self),
                    file: try row.decode(column: "file", as: String.self))
                let bytes =
                    search.cost == 1
                    ? try? await MessageFileReader.readMessageHeader(path) : try? await MessageFileReader.readMessage(path)
                guard let bytes, Self.matches(MIMEMessage(bytes), search) else { continue }
            }
            matches.append(item)
        }
        let size = min(max(pageSize, WebmailLimits.pageSizes.lowerBound), WebmailLimits.pageSizes.upperBound)
        let start = min(min(max(0, page), 1_000_000) * size, matches.count)
        return (Array(matches[start..<min(start + size, matches.count)]), matches.count, truncated)
    }

    /// The text terms, as IMAP SEARCH FROM / TO (To or Cc) / SUBJECT / BODY match them.
    static func matches(_ message: MIMEMessage, _ search: MessageSearch) -> Bool {
        if !search.from.isEmpty, !message.addressField("From", contains: search.from) { return false }
        if !search.to.isEmpty, !message.addressField("To", contains: search.to), !message.addressField("Cc", contains: search.to)
        {
            return false
        }
        if !search.subject.isEmpty, !message.headerField("Subject", contains: search.subject) { return false }
        if !search.body.isEmpty, !message.searchText.bodyContains(search.body) { return false }
        return true
    }
}
