import Core
import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import SQLKit

/// The durable queue: spool files under `<data_dir>/spool/` plus rows in the database.
///
/// A message is accepted (and only then may SMTP answer 250) once `commit` returns: its file is
/// fsync'd and renamed into `spool/msg/`, the directory fsync'd, and its rows committed. A crash
/// before that leaves no trace the client was told about; after it, the message is delivered by
/// the `QueueRunner`, now or after a restart.
public final class MailQueue: Sendable {
    public let database: Database
    public let spoolDirectory: String
    public let nodeID: String
    /// Rings when new work arrives, so the runner delivers at once instead of at its next poll.
    public let wake = WakeSignal()
    /// The relay ticket key once read (`relayTicketKey`).
    let ticketKey = NIOLockedValueBox<SymmetricKey?>(nil)
    /// Batches concurrent `commit`s into one transaction each.
    let groupCommit: GroupCommit
    let logger: Logger

    public init(database: Database, spoolDirectory: String, nodeID: String, logger: Logger) {
        self.database = database
        self.groupCommit = GroupCommit(database: database)
        self.spoolDirectory = spoolDirectory
        self.nodeID = nodeID
        self.logger = logger
    }

    var temporaryDirectory: String { spoolDirectory + "/tmp" }
    var messageDirectory: String { spoolDirectory + "/msg" }

    /// Creates the spool folders.
    public func prepare() throws {
        for directory in [spoolDirectory, temporaryDirectory, messageDirectory] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    /// A new queue id and an empty spool file for it (in `spool/tmp/`).
    public func openSpoolFile() throws -> (id: String, file: DurableFile) {
        let id = QueueID.make(nodeID: nodeID)
        return (id, try DurableFile(creating: "\(temporaryDirectory)/\(id)"))
    }

    /// Makes the message durable and queues its deliveries. Returns only when both the file and
    /// the rows are on stable storage, with the row id of each delivery (in `deliveries` order).
    /// Concurrent commits share the directory's fsync and a transaction (`GroupCommit`).
    ///
    /// `deliverNow` keeps the background runner off the new deliveries for a minute, for a caller
    /// that delivers them itself at once (LMTP, whose replies must tell the outcome). `held` queues
    /// the message held (policy HOLD) in the same transaction, so it is never deliverable before
    /// `posta queue release`. `headers` (CRLF-ended fields) are prepended at delivery.
    /// `alongside` runs first in the same transaction (a release claims its quarantine row there);
    /// when it throws, nothing is queued.
    @discardableResult
    public func commit(
        id: String, file: DurableFile, envelope: QueuedEnvelope, deliveries: [QueuedDelivery], deliverNow: Bool = false,
        held: Bool = false, headers: String? = nil, alongside: (@Sendable (any SQLDatabase) async throws -> Void)? = nil
    ) async throws -> [Int64] {
        let destination = "\(messageDirectory)/\(id)"
        // The directory is synced once per batch, before the batch's rows name the file.
        try await NIOThreadPool.singleton.runIfActive { try file.commit(to: destination, syncDirectory: false) }
        let size = file.bytesWritten
        let now = UnixTime.now()
        let due = deliverNow ? now + 60 : now
        let rowIDs: [Int64]
        do {
            rowIDs = try await groupCommit.run(syncing: [messageDirectory]) { db, retry in
                // A retry after a failed batch: the batch's commit may have happened after all.
                if retry, let earlier = try await Self.queuedRows(id: id, in: db) { return earlier }
                try await alongside?(db)
                return try await Self.insert(
                    id: id, size: size, now: now, due: due, envelope: envelope, deliveries: deliveries, held: held,
                    headers: headers, in: db)
            }
        } catch {
            // Not acknowledged: the file must not be delivered by a later recovery either.
            unlink(destination)
            throw error
        }
        logger.info(
            "queued",
            metadata: [
                "id": "\(id)", "size": "\(size)", "from": "\(envelope.reversePath?.description ?? "<>")",
                "deliveries": "\(deliveries.count)", "held": "\(held)",
            ])
        if !deliverNow && !held { wake.notify() }
        return rowIDs
    }

    /// The delivery rows' ids of message `id` if it is queued.
    static func queuedRows(id: String, in db: any SQLDatabase) async throws -> [Int64]? {
        guard try await db.select().column("id").from("queue_message").where("id", .equal, id).first() != nil else {
            return nil
        }
        return try await db.select().column("id").from("queue_recipient").where("message_id", .equal, id).orderBy("id")
            .all(decodingColumn: "id", as: Int64.self)
    }

    /// The rows of one message and its deliveries (inside the caller's transaction).
    static func insert(
        id: String, size: Int64, now: Int64, due: Int64, envelope: QueuedEnvelope, deliveries: [QueuedDelivery], held: Bool,
        headers: String?, in db: any SQLDatabase
    ) async throws -> [Int64] {
        try await db.insert(into: "queue_message")
            .columns(
                "id", "reverse_path", "spool_file", "size", "received_at", "dsn_ret", "dsn_envid", "body", "smtputf8",
                "client_ip", "helo", "held", "headers", "requiretls"
            )
            .values(
                SQLBind(id), SQLBind(envelope.reversePath?.description ?? ""), SQLBind("msg/\(id)"), SQLBind(size),
                SQLBind(now), SQLBind(envelope.dsnRet?.rawValue), SQLBind(envelope.dsnEnvID),
                SQLBind(envelope.body.rawValue),
                SQLBind(envelope.smtpUTF8), SQLBind(envelope.clientIP), SQLBind(envelope.helo), SQLBind(held),
                SQLBind(headers), SQLBind(envelope.requireTLS)
            ).run()
        var rowIDs: [Int64] = []
        for delivery in deliveries {
            let rowID = try await db.insert(into: "queue_recipient")
                .columns(
                    "message_id", "recipient", "orcpt", "notify", "kind", "account_id", "target", "detail", "status",
                    "attempts", "next_attempt_at", "mailbox", "headers"
                )
                .values(
                    SQLBind(id), SQLBind(delivery.recipient), SQLBind(delivery.orcpt?.text),
                    SQLBind(delivery.notify?.text),
                    SQLBind(delivery.kind.rawValue), SQLBind(delivery.accountID), SQLBind(delivery.target),
                    SQLBind(delivery.detail), SQLBind(DeliveryStatus.pending.rawValue), SQLBind(0), SQLBind(due),
                    SQLBind(delivery.mailbox), SQLBind(delivery.headers)
                ).returning("id").first(decodingColumn: "id", as: Int64.self)
            rowIDs.append(rowID ?? 0)
        }
        return rowIDs
    }

    /// Absolute path of a spool file named in `queue_message.spool_file`.
    public func spoolPath(_ relative: String) -> String { "\(spoolDirectory)/\(relative)" }

    /// Number of messages in the queue, and of deliveries still pending (for monitoring).
    public func size() async throws -> (messages: Int, pendingDeliveries: Int) {
        try await database.withConnection { db in
            let messages =
                try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from("queue_message").first(decodingColumn: "n", as: Int64.self) ?? 0
            let pending =
                try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from("queue_recipient").where("status", .equal, DeliveryStatus.pending.rawValue)
                .first(decodingColumn: "n", as: Int64.self) ?? 0
            return (Int(messages), Int(pending))
        }
    }
}
