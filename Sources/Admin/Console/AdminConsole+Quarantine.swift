import Core
import Filter
import Foundation
import Queue

/// Which held messages `AdminConsole.quarantineEntries` lists: each text matches as a
/// case-insensitive substring; newest first, `limit` per page from `cursor`.
public struct QuarantineFilter: Sendable {
    public var reason: String?
    public var sender: String?
    public var recipient: String?
    public var cursor: String?
    public var limit: Int

    public init(
        reason: String? = nil, sender: String? = nil, recipient: String? = nil, cursor: String? = nil, limit: Int = 50
    ) {
        (self.reason, self.sender, self.recipient, self.cursor, self.limit) = (reason, sender, recipient, cursor, limit)
    }
}

/// One header field of a message, unfolded (RFC 5322 §2.2.3), as text to show.
public struct HeaderField: Sendable, Equatable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A held message as an administrator inspects it: its entry (envelope and reason), the header
/// fields of the message, and those the filters add on release (the verdict, e.g. `X-Spam-Status`).
public struct QuarantinedMessage: Sendable {
    public var entry: QuarantineEntry
    /// The header section as stored (bounded), for the command line.
    public var header: String
    public var headers: [HeaderField]
    public var verdictHeaders: [HeaderField]
}

/// What an administrator can do to held messages.
public enum QuarantineAction: String, Sendable, CaseIterable, Codable {
    /// Queue it for delivery as if it had passed the filters.
    case release
    /// Delete it for good.
    case delete
}

extension AdminConsole {
    /// Most header fields shown of one message.
    static let maxHeaderFields = 500

    /// Held messages, newest first, filtered and paged. A domain admin sees those whose every
    /// recipient is in their domains (as in the queue: the sender proves nothing).
    public func quarantineEntries(as principal: Principal, _ filter: QuarantineFilter) async throws -> Page<
        QuarantineEntry
    > {
        try principal.require(.manageQuarantine)
        for text in [filter.reason, filter.sender, filter.recipient] where (text?.count ?? 0) > Self.maxTextLength {
            throw AdminError.invalid("filter text too long")
        }
        var position = try filter.cursor.map { cursor throws(AdminError) in
            try Self.quarantinePosition(PageCursor.decode(cursor))
        }
        guard let quarantine else { return Page(items: [], next: nil) }
        // The database filters and pages; a domain admin's rule (every recipient inside) is
        // checked here on rows that have at least one, at most `maxQuarantineScan` per page.
        let query = QuarantineQuery(
            reason: filter.reason, sender: filter.sender, recipient: filter.recipient,
            recipientDomains: principal.domainScope)
        let limit = PageCursor.limit(filter.limit)
        var items: [QuarantineEntry] = []
        var scanned = 0
        while scanned < Self.maxQuarantineScan {
            let batch = try await quarantine.entries(matching: query, before: position, limit: limit + 1)
            for entry in batch {
                scanned += 1
                guard visible(entry, to: principal) else {
                    position = QuarantinePosition(heldAt: entry.heldAt, id: entry.id)
                    continue
                }
                if items.count == limit { return Page(items: items, next: Self.quarantineCursor(position)) }
                items.append(entry)
                position = QuarantinePosition(heldAt: entry.heldAt, id: entry.id)
            }
            if batch.count <= limit { return Page(items: items, next: nil) }
        }
        // Scanned enough for one request: the next page goes on from here.
        return Page(items: items, next: Self.quarantineCursor(position))
    }

    /// Most held messages one listing request reads to fill a domain admin's page.
    static let maxQuarantineScan = 2_000

    private static func quarantineCursor(_ position: QuarantinePosition?) -> String? {
        position.map { PageCursor.encode("\($0.heldAt) \($0.id)") }
    }

    /// Most bytes read of each message for `quarantineSubjects`.
    static let maxSubjectHeaderBytes = 16 * 1024

    /// The Subject of each listed message (from the first 16 KiB of its header), by id; messages
    /// the principal may not see, or without a Subject, are left out.
    public func quarantineSubjects(as principal: Principal, _ entries: [QuarantineEntry]) async throws -> [String: String] {
        try principal.require(.manageQuarantine)
        guard let quarantine else { return [:] }
        var subjects: [String: String] = [:]
        for entry in entries.prefix(PageCursor.limit(entries.count)) where visible(entry, to: principal) {
            let header = try await Self.headerSection(path: quarantine.path(of: entry.id), limit: Self.maxSubjectHeaderBytes)
            if let subject = Self.headerFields(header).first(where: { $0.name.lowercased() == "subject" }) {
                subjects[entry.id] = subject.value
            }
        }
        return subjects
    }

    /// One held message with its header fields and the filters' verdict.
    public func quarantinedMessage(as principal: Principal, id: String) async throws -> QuarantinedMessage {
        let (quarantine, entry) = try await heldEntry(principal, id)
        let header = try await Self.headerSection(path: quarantine.path(of: entry.id), limit: Self.maxHeaderBytes)
        return QuarantinedMessage(
            entry: entry, header: header, headers: Self.headerFields(header),
            verdictHeaders: Self.headerFields(MailQueue.filterHeaders(of: entry)))
    }

    /// The whole held message as text (for `posta quarantine show --body`), at most `limit` bytes.
    public func quarantinedMessageSource(as principal: Principal, id: String, limit: Int = 64 * 1024 * 1024)
        async throws -> String
    {
        let (quarantine, entry) = try await heldEntry(principal, id)
        guard let handle = FileHandle(forReadingAtPath: quarantine.path(of: entry.id)) else { return "" }
        defer { try? handle.close() }
        return String(decoding: (try? handle.read(upToCount: limit)) ?? Data(), as: UTF8.self)
    }

    /// Queues a held message for delivery as if it had passed the filters; the new queue id.
    @discardableResult
    public func releaseQuarantined(as principal: Principal, id: String) async throws -> String {
        let (quarantine, entry) = try await heldEntry(principal, id)
        guard let queued = try await queue.release(entry.id, from: quarantine) else {
            throw AdminError.notFound("quarantined message \(id)")
        }
        await audit(
            principal, "quarantine.release", target: entry.id, before: QuarantineAuditView(entry),
            after: ["queued": queued])
        return queued
    }

    /// Deletes a held message for good.
    public func deleteQuarantined(as principal: Principal, id: String) async throws {
        let (quarantine, entry) = try await heldEntry(principal, id)
        guard try await quarantine.delete(entry.id) else { throw AdminError.notFound("quarantined message \(id)") }
        await audit(principal, "quarantine.delete", target: entry.id, before: QuarantineAuditView(entry))
    }

    /// Applies `action` to each id; the ids that failed, with why (for a person).
    public func quarantine(as principal: Principal, _ action: QuarantineAction, ids: [String]) async throws -> [String:
        String]
    {
        try principal.require(.manageQuarantine)
        guard ids.count <= Self.maxQueueIDs else { throw AdminError.invalid("at most \(Self.maxQueueIDs) messages at once") }
        var failed: [String: String] = [:]
        for id in Set(ids) {
            do {
                switch action {
                case .release: try await releaseQuarantined(as: principal, id: id)
                case .delete: try await deleteQuarantined(as: principal, id: id)
                }
            } catch is AdminError {
                failed[id] = "no such message"
            } catch {
                // The reason goes to the log, never to the client (it may name paths or SQL).
                logger.error(
                    "quarantine action failed",
                    metadata: ["action": "\(action.rawValue)", "id": "\(id)", "error": "\(String(reflecting: error))"])
                failed[id] = "could not be changed: see the server log"
            }
        }
        return failed
    }

    /// The held entry `id` if the principal may act on it; `notFound` otherwise (whether it
    /// exists elsewhere is not told).
    private func heldEntry(_ principal: Principal, _ id: String) async throws -> (QuarantineStore, QuarantineEntry) {
        try principal.require(.manageQuarantine)
        guard let quarantine, id.utf8.count <= 200, let entry = try await quarantine.entry(id), visible(entry, to: principal)
        else { throw AdminError.notFound("quarantined message \(id)") }
        return (quarantine, entry)
    }

    private func visible(_ entry: QuarantineEntry, to principal: Principal) -> Bool {
        guard let scope = principal.domainScope else { return true }
        // Every recipient in scope: a message also going elsewhere is the superadmin's.
        return !entry.recipients.isEmpty && entry.recipients.allSatisfy { scope.contains(Principal.domain(of: $0)) }
    }

    /// The key of a quarantine cursor: `<held at> <id>`.
    private static func quarantinePosition(_ key: String) throws(AdminError) -> QuarantinePosition {
        let parts = key.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let heldAt = Int64(parts[0]) else { throw .invalid("invalid cursor") }
        return QuarantinePosition(heldAt: heldAt, id: String(parts[1]))
    }

    /// The header section of the message file at `path`: up to the first empty line, at most
    /// `limit` bytes; "" when the file cannot be read.
    static func headerSection(path: String, limit: Int) async throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let bytes = [UInt8]((try? handle.read(upToCount: limit)) ?? Data())
        // RFC 5322 §2.1: the header section ends at the first empty line (CRLF CRLF, or LF LF).
        var end = bytes.count
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 10, bytes[i + 1] == 10 {
                end = i + 1
                break
            }
            if bytes[i] == 10, bytes[i + 1] == 13, i + 2 < bytes.count, bytes[i + 2] == 10 {
                end = i + 1
                break
            }
            i += 1
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// The fields of a header section, unfolded (RFC 5322 §2.2.3), at most `maxHeaderFields`.
    /// A line that is neither a field nor a continuation is kept as a field without a name.
    static func headerFields(_ section: String) -> [HeaderField] {
        var fields: [HeaderField] = []
        for line in section.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let text = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if text.isEmpty { continue }
            if let first = text.first, first == " " || first == "\t", !fields.isEmpty {
                fields[fields.count - 1].value += " " + text.trimmingCharacters(in: .whitespaces)
                continue
            }
            guard fields.count < maxHeaderFields else { break }
            if let colon = text.firstIndex(of: ":"), !text[..<colon].contains(" ") {
                fields.append(
                    HeaderField(
                        name: String(text[..<colon]),
                        value: text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            } else {
                fields.append(HeaderField(name: "", value: String(text)))
            }
        }
        return fields
    }
}

/// A held message as the audit log records it.
struct QuarantineAuditView: Encodable, Sendable {
    let reason: String
    let sender: String
    let recipients: [String]
    let size: Int64

    init(_ entry: QuarantineEntry) {
        reason = entry.reason
        sender = entry.reversePath
        recipients = entry.recipients
        size = entry.size
    }
}
