import Core
import Foundation
import Queue

/// Which queued messages `AdminConsole.queueEntries` lists, and which page of them.
public struct QueueFilter: Sendable {
    /// active | deferred | held, nil = all.
    public var state: String?
    public var sender: String?
    public var recipient: String?
    /// The `next` of the previous page; nil for the first.
    public var cursor: String?
    public var limit: Int
    public init(
        state: String? = nil, sender: String? = nil, recipient: String? = nil, cursor: String? = nil, limit: Int = 100
    ) {
        (self.state, self.sender, self.recipient, self.cursor, self.limit) = (state, sender, recipient, cursor, limit)
    }
}

/// What an administrator can do to queued messages.
public enum QueueAction: String, Sendable, CaseIterable, Codable {
    case retry, hold, release, delete
}

extension AdminConsole {
    /// Most ids one bulk action takes.
    static let maxQueueIDs = 1000
    /// Most bytes of a queued message read for its header section.
    static let maxHeaderBytes = 256 * 1024

    /// A page of queued messages, oldest first, filtered by the database (keyset paging). A domain
    /// admin sees the messages whose every recipient is in their domains (the envelope sender
    /// proves nothing: anyone can forge it).
    public func queueEntries(as principal: Principal, _ filter: QueueFilter) async throws -> Page<QueueEntry> {
        try principal.require(.manageQueue)
        var state: QueueQuery.State?
        if let name = filter.state {
            guard let known = QueueQuery.State(rawValue: name) else {
                throw AdminError.invalid("queue state is active, deferred or held")
            }
            state = known
        }
        for text in [filter.sender, filter.recipient] where (text?.count ?? 0) > Self.maxTextLength {
            throw AdminError.invalid("filter text too long")
        }
        let after = try filter.cursor.map { cursor throws(AdminError) in try Self.queuePosition(cursor) }
        let limit = PageCursor.limit(filter.limit)
        let (entries, next) = try await self.queue.entries(
            matching: QueueQuery(
                state: state, sender: filter.sender, recipient: filter.recipient, recipientDomains: principal.domainScope),
            after: after, limit: limit)
        return Page(items: entries, next: next.map { PageCursor.encode("\($0.receivedAt) \($0.id)") })
    }

    /// The position a queue cursor names (`<received_at> <id>`).
    static func queuePosition(_ cursor: String) throws(AdminError) -> QueuePosition {
        let parts = try PageCursor.decode(cursor).split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let at = Int64(parts[0]) else { throw .invalid("invalid cursor") }
        return QueuePosition(receivedAt: at, id: String(parts[1]))
    }

    /// One queued message with its header section (up to the first empty line, bounded).
    public func queueEntry(as principal: Principal, id: String) async throws -> (entry: QueueEntry, headers: String) {
        try principal.require(.manageQueue)
        guard let entry = try await self.queue.entry(id), visible(entry, to: principal) else {
            throw AdminError.notFound("queued message \(id)")
        }
        return (entry, try await headers(id))
    }

    /// Applies `action` to each id; the ids that failed, with why.
    public func queue(as principal: Principal, _ action: QueueAction, ids: [String]) async throws -> [String: String] {
        try principal.require(.manageQueue)
        guard ids.count <= Self.maxQueueIDs else { throw AdminError.invalid("at most \(Self.maxQueueIDs) messages at once") }
        var failed: [String: String] = [:]
        for id in Set(ids) {
            guard let entry = try await self.queue.entry(id), visible(entry, to: principal) else {
                failed[id] = "no such message"
                continue
            }
            do {
                switch action {
                case .retry: try await self.queue.retry(id)
                case .hold: try await self.queue.setHeld(id, true)
                case .release: try await self.queue.setHeld(id, false)
                case .delete: try await self.queue.delete(id)
                }
            } catch {
                // The reason goes to the log, never to the client (it may name paths or SQL).
                logger.error(
                    "queue action failed",
                    metadata: ["action": "\(action.rawValue)", "id": "\(id)", "error": "\(String(reflecting: error))"])
                failed[id] = "could not be changed: see the server log"
                continue
            }
            await audit(
                principal, "queue.\(action.rawValue)", target: id, before: QueueAuditView(entry),
                after: action == .delete ? nil : try await self.queue.entry(id).map(QueueAuditView.init))
        }
        return failed
    }

    /// The state of a queued message as `QueueQuery.State` names it; `done` when no delivery is
    /// pending any more.
    public static func state(of entry: QueueEntry) -> String {
        let pending = entry.recipients.filter { $0.status == .pending }
        if entry.held { return "held" }
        if pending.contains(where: { $0.attempts > 0 }) { return "deferred" }
        return pending.isEmpty ? "done" : "active"
    }

    private func visible(_ entry: QueueEntry, to principal: Principal) -> Bool {
        guard let scope = principal.domainScope else { return true }
        // Every recipient in scope: a message also going elsewhere is the superadmin's.
        return !entry.recipients.isEmpty && entry.recipients.allSatisfy { scope.contains(Principal.domain(of: $0.recipient)) }
    }

    /// The header section of a queued message, read from its spool file.
    private func headers(_ id: String) async throws -> String {
        let path = try await database.withConnection { db in
            try await db.select().column("spool_file").from("queue_message").where("id", .equal, id)
                .first(decodingColumn: "spool_file", as: String.self)
        }
        guard let path, let handle = FileHandle(forReadingAtPath: self.queue.spoolPath(path)) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: Self.maxHeaderBytes)) ?? Data()
        let bytes = [UInt8](data)
        // RFC 5322 §2.1: the header section ends at the first empty line.
        var end = bytes.count
        for i in bytes.indices where i + 3 < bytes.count {
            if bytes[i] == 13, bytes[i + 1] == 10, bytes[i + 2] == 13, bytes[i + 3] == 10 {
                end = i + 2
                break
            }
        }
        if end == bytes.count, let lf = (0..<max(bytes.count - 1, 0)).first(where: { bytes[$0] == 10 && bytes[$0 + 1] == 10 }) {
            end = lf + 1
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}

/// A queued message as the audit log records it.
struct QueueAuditView: Encodable, Sendable {
    let sender: String
    let recipients: [String]
    let held: Bool
    let size: Int64

    init(_ entry: QueueEntry) {
        sender = entry.sender
        recipients = entry.recipients.map(\.recipient)
        held = entry.held
        size = entry.size
    }
}
