import Core
import Foundation
import NIOPosix
import SQLKit

/// One held message as listed by `posta quarantine`.
public struct QuarantineEntry: Sendable, Equatable, Codable {
    public var id: String
    public var heldAt: Int64
    public var reason: String
    /// "" is the null reverse-path.
    public var reversePath: String
    public var recipients: [String]
    public var size: Int64
    public var clientIP: String
    /// What the queue needs to deliver it on release (opaque to the quarantine; JSON).
    public var envelope: String

    public init(
        id: String, heldAt: Int64, reason: String, reversePath: String, recipients: [String], size: Int64,
        clientIP: String, envelope: String
    ) {
        self.id = id
        self.heldAt = heldAt
        self.reason = reason
        self.reversePath = reversePath
        self.recipients = recipients
        self.size = size
        self.clientIP = clientIP
        self.envelope = envelope
    }
}

/// Held messages: the spool file moved (fsync'd) into the quarantine folder, then a row. A
/// message is held once `hold` returns; a crash before leaves at most an orphan file, never a
/// row without its file.
public final class QuarantineStore: Sendable {
    public let database: Database
    public let directory: String

    public init(database: Database, directory: String) {
        self.database = database
        self.directory = directory
    }

    public func path(of id: String) -> String { "\(directory)/\(id)" }

    /// Makes `file` durable in the quarantine and records `entry` (whose id names the file).
    public func hold(_ entry: QuarantineEntry, file: DurableFile) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let destination = path(of: entry.id)
        try await NIOThreadPool.singleton.runIfActive { try file.commit(to: destination) }
        do {
            try await database.withConnection { db in
                try await db.insert(into: "quarantine")
                    .columns("id", "held_at", "reason", "reverse_path", "recipients", "size", "client_ip", "envelope")
                    .values(
                        SQLBind(entry.id), SQLBind(entry.heldAt), SQLBind(entry.reason), SQLBind(entry.reversePath),
                        SQLBind(entry.recipients.joined(separator: "\n")), SQLBind(entry.size), SQLBind(entry.clientIP),
                        SQLBind(entry.envelope)
                    ).run()
            }
        } catch {
            unlink(destination)
            throw error
        }
    }

    public func list() async throws -> [QuarantineEntry] {
        try await select(nil)
    }

    public func entry(_ id: String) async throws -> QuarantineEntry? {
        try await select(id).first
    }

    /// Removes the row, then the file; false when there was no such entry.
    @discardableResult
    public func delete(_ id: String) async throws -> Bool {
        let existed = try await database.withConnection { db in try await removeRow(id, in: db) }
        if existed { removeFile(id) }
        return existed
    }

    /// Removes the row of `id` on `db` (a caller's transaction); false when there was none, so of
    /// two concurrent callers exactly one gets true. The file stays until `removeFile`.
    public func removeRow(_ id: String, in db: any SQLDatabase) async throws -> Bool {
        try await db.delete(from: "quarantine").where("id", .equal, id).returning("id").all().count > 0
    }

    /// Removes the file of an entry whose row is gone.
    public func removeFile(_ id: String) {
        unlink(path(of: id))
    }

    /// The columns `entry(_ row:)` reads.
    static let columns = ["id", "held_at", "reason", "reverse_path", "recipients", "size", "client_ip", "envelope"]

    static func entry(_ row: any SQLRow) throws -> QuarantineEntry {
        QuarantineEntry(
            id: try row.decode(column: "id", as: String.self),
            heldAt: try row.decode(column: "held_at", as: Int64.self),
            reason: try row.decode(column: "reason", as: String.self),
            reversePath: try row.decode(column: "reverse_path", as: String.self),
            recipients: try row.decode(column: "recipients", as: String.self).split(separator: "\n").map(String.init),
            size: try row.decode(column: "size", as: Int64.self),
            clientIP: try row.decode(column: "client_ip", as: String.self),
            envelope: try row.decode(column: "envelope", as: String.self))
    }

    private func select(_ id: String?) async throws -> [QuarantineEntry] {
        try await database.withConnection { db in
            var query = db.select().columns(Self.columns).from("quarantine")
            if let id { query = query.where("id", .equal, id) }
            return try await query.orderBy("held_at").orderBy("id").all().map(Self.entry)
        }
    }
}
