import Core
import NIOPosix
import SQLKit

/// A message written into the spool but not queued yet: the file is fsync'd, and `commit(staged:)`
/// fsyncs the spool directory once for all staged files before any row names them. No row names
/// a staged file before that, so a crash leaves a file the recovery at start removes, and nothing
/// is sent.
public struct StagedMessage: Sendable {
    public var id: String
    public var size: Int64
    public var envelope: QueuedEnvelope
    public var deliveries: [QueuedDelivery]
    let path: String
}

extension MailQueue {
    /// Writes `message` into the spool (the file fsync'd) for `commit(staged:)`.
    public func stage(_ message: [UInt8], envelope: QueuedEnvelope, deliveries: [QueuedDelivery]) async throws -> StagedMessage {
        let (id, file) = try openSpoolFile()
        let destination = "\(messageDirectory)/\(id)"
        do {
            try await NIOThreadPool.singleton.runIfActive {
                try file.write(message)
                try file.commit(to: destination, syncDirectory: false)
            }
        } catch {
            file.discard()
            throw error
        }
        return StagedMessage(id: id, size: Int64(message.count), envelope: envelope, deliveries: deliveries, path: destination)
    }

    /// Queues staged messages, all or none, in one transaction with whatever `alongside` writes
    /// (a list records the post there, so a retried post can never queue its copies twice). On
    /// failure the staged files are removed.
    public func commit(staged: [StagedMessage], alongside: (@Sendable (any SQLDatabase) async throws -> Void)? = nil) async throws
    {
        let now = UnixTime.now()
        do {
            // The renames into msg/ are durable before any row names them.
            if let first = staged.first {
                try await NIOThreadPool.singleton.runIfActive { try DurableFile.syncDirectory(containing: first.path) }
            }
            try await database.transaction { db in
                try await alongside?(db)
                for message in staged {
                    _ = try await Self.insert(
                        id: message.id, size: message.size, now: now, due: now, envelope: message.envelope,
                        deliveries: message.deliveries, held: false, headers: nil, in: db)
                }
            }
        } catch {
            discard(staged)
            throw error
        }
        logger.info(
            "queued", metadata: ["messages": "\(staged.count)", "deliveries": "\(staged.map(\.deliveries.count).reduce(0, +))"])
        if !staged.isEmpty { wake.notify() }
    }

    /// Removes staged files that will not be queued.
    public func discard(_ staged: [StagedMessage]) {
        for message in staged { unlink(message.path) }
    }
}
