import Core
import Foundation
import SQLKit

/// A queued message as `posta queue list|show` presents it.
public struct QueueEntry: Sendable, Codable, Equatable {
    public struct Recipient: Sendable, Codable, Equatable {
        public var recipient: String
        public var target: String
        /// Encoded as their raw values (`local`, `pending`…), the strings scripts read.
        public var kind: QueuedDelivery.Kind
        public var status: DeliveryStatus
        public var attempts: Int
        public var nextAttemptAt: Int64
        public var lastError: String?

        enum CodingKeys: String, CodingKey {
            case recipient, target, kind, status, attempts
            case nextAttemptAt = "next_attempt_at"
            case lastError = "last_error"
        }
    }

    public var id: String
    public var sender: String
    public var size: Int64
    public var receivedAt: Int64
    public var held: Bool
    public var clientIP: String
    public var recipients: [Recipient]

    enum CodingKeys: String, CodingKey {
        case id, sender, size, held, recipients
        case receivedAt = "received_at"
        case clientIP = "client_ip"
    }
}

/// Why an admin queue operation was refused.
public enum QueueAdminError: Error, Equatable, CustomStringConvertible {
    case noSuchMessage(String)

    public var description: String {
        switch self {
        case .noSuchMessage(let id): "no queued message '\(id)'"
        }
    }
}

extension MailQueue {
    /// Every queued message with its deliveries, oldest first.
    public func entries() async throws -> [QueueEntry] {
        try await entries(only: nil)
    }

    /// One queued message, or nil.
    public func entry(_ id: String) async throws -> QueueEntry? {
        try await entries(only: id).first
    }

    private func entries(only id: String?) async throws -> [QueueEntry] {
        try await database.withConnection { db in
            var messageQuery = db.select().columns(Self.entryColumns).from("queue_message")
            if let id { messageQuery = messageQuery.where("id", .equal, id) }
            let messages = try await messageQuery.orderBy("received_at").orderBy("id").all()
            return try await Self.entries(messages, ids: id.map { [$0] }, db)
        }
    }

    /// The `queue_message` columns a `QueueEntry` is read from.
    static let entryColumns = ["id", "reverse_path", "size", "received_at", "held", "client_ip"]

    /// `messages` (rows of `entryColumns`) with their deliveries: those of `ids`, or all when nil.
    static func entries(_ messages: [any SQLRow], ids: [String]?, _ db: any SQLDatabase) async throws -> [QueueEntry] {
        var recipientQuery = db.select()
            .columns("message_id", "recipient", "target", "kind", "status", "attempts", "next_attempt_at", "last_error")
            .from("queue_recipient")
        if let ids {
            guard !ids.isEmpty else { return [] }
            recipientQuery = recipientQuery.where("message_id", .in, ids)
        }
        let recipients = try await recipientQuery.orderBy("id").all()
        var byMessage: [String: [QueueEntry.Recipient]] = [:]
        for row in recipients {
            byMessage[try row.decode(column: "message_id", as: String.self), default: []].append(
                QueueEntry.Recipient(
                    recipient: try row.decode(column: "recipient", as: String.self),
                    target: try row.decode(column: "target", as: String.self),
                    kind: try QueueColumns.value(QueuedDelivery.Kind.self, row, "kind"),
                    status: try QueueColumns.value(DeliveryStatus.self, row, "status"),
                    attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
                    nextAttemptAt: try row.decode(column: "next_attempt_at", as: Int64.self),
                    lastError: try row.decode(column: "last_error", as: String?.self)))
        }
        return try messages.map { row in
            let id = try row.decode(column: "id", as: String.self)
            return QueueEntry(
                id: id, sender: try row.decode(column: "reverse_path", as: String.self),
                size: try row.decode(column: "size", as: Int64.self),
                receivedAt: try row.decode(column: "received_at", as: Int64.self),
                held: try row.decode(column: "held", as: Bool.self),
                clientIP: try row.decode(column: "client_ip", as: String.self), recipients: byMessage[id] ?? [])
        }
    }

    /// Makes the pending deliveries of `id` due now (and wakes the runner).
    public func retry(_ id: String) async throws {
        try await requireMessage(id)
        try await database.withConnection { db in
            try await db.update("queue_recipient").set("next_attempt_at", to: SQLBind(UnixTime.now()))
                .where("message_id", .equal, id).where("status", .equal, DeliveryStatus.pending.rawValue).run()
        }
        wake.notify()
    }

    /// Holds (`true`) or releases (`false`) a message: a held message is kept but not delivered.
    public func setHeld(_ id: String, _ held: Bool) async throws {
        try await requireMessage(id)
        try await database.withConnection { db in
            try await db.update("queue_message").set("held", to: SQLBind(held)).where("id", .equal, id).run()
        }
        if !held { wake.notify() }
    }

    /// Removes a message and its spool file without delivering it.
    public func delete(_ id: String) async throws {
        let file: String = try await database.transaction { db in
            guard
                let file = try await db.select().column("spool_file").from("queue_message").where("id", .equal, id)
                    .first(decodingColumn: "spool_file", as: String.self)
            else { throw QueueAdminError.noSuchMessage(id) }
            try await db.delete(from: "queue_recipient").where("message_id", .equal, id).run()
            try await db.delete(from: "queue_message").where("id", .equal, id).run()
            return file
        }
        SpoolHold.remove([file], spool: spoolDirectory)
    }

    private func requireMessage(_ id: String) async throws {
        let exists = try await database.withConnection { db in
            try await db.select().column("id").from("queue_message").where("id", .equal, id).first() != nil
        }
        guard exists else { throw QueueAdminError.noSuchMessage(id) }
    }
}
