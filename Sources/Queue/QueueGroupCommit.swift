import Core
import NIOConcurrencyHelpers
import NIOPosix
import SQLKit

/// Group commit for `MailQueue.commit`: messages that reach the end of their SMTP/LMTP DATA at
/// nearly the same moment share the durability work. Each caller fsyncs and renames its own spool
/// file (in parallel); then one batch fsyncs the `msg/` directory once and inserts every message's
/// rows in one database transaction (one WAL fsync on SQLite, one round of commit on PostgreSQL).
/// Each caller returns, and may answer 250, only after the batch holding its message committed.
///
/// Batches form by themselves: when no batch is running, a message starts one at once (no added
/// latency when idle); while one runs, new messages wait for it and then go together in the next.
/// A batch whose transaction fails is retried one message per transaction, so one bad message (or
/// one `alongside` that throws) fails only its own caller.
final class QueueGroupCommit: Sendable {
    /// One message waiting for its batch.
    struct Entry: Sendable {
        let id: String
        let size: Int64
        let now: Int64
        let due: Int64
        let envelope: QueuedEnvelope
        let deliveries: [QueuedDelivery]
        let held: Bool
        let headers: String?
        let alongside: (@Sendable (any SQLDatabase) async throws -> Void)?
    }

    private struct Waiting: Sendable {
        let entry: Entry
        let continuation: CheckedContinuation<[Int64], any Error>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var running = false
    }

    /// Most messages one transaction takes (a burst larger than this runs as several batches).
    static let maximumBatch = 256

    private let state = NIOLockedValueBox(State())
    private let batches = NIOLockedValueBox<(count: Int, messages: Int)>((0, 0))

    /// How many batches ran and how many messages they held (for tests and the benchmark).
    var counts: (batches: Int, messages: Int) { batches.withLockedValue { ($0.count, $0.messages) } }

    /// Queues `entry` (its spool file already in `msg/`) with the next batch; returns its rows'
    /// ids once that batch is durable.
    func commit(_ entry: Entry, in queue: MailQueue) async throws -> [Int64] {
        try await withCheckedThrowingContinuation { continuation in
            let lead = state.withLockedValue { state -> Bool in
                state.waiting.append(Waiting(entry: entry, continuation: continuation))
                guard !state.running else { return false }
                state.running = true
                return true
            }
            if lead { Task { await self.drain(queue) } }
        }
    }

    /// Runs batches until nobody waits.
    private func drain(_ queue: MailQueue) async {
        while true {
            let batch = state.withLockedValue { state -> [Waiting] in
                let batch = Array(state.waiting.prefix(Self.maximumBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.running = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            await run(batch, queue)
        }
    }

    private func run(_ batch: [Waiting], _ queue: MailQueue) async {
        batches.withLockedValue {
            $0.count += 1
            $0.messages += batch.count
        }
        do {
            // The renames into msg/ are durable before any row names them.
            try await NIOThreadPool.singleton.runIfActive { try LocalFiles.syncDirectory(queue.messageDirectory) }
        } catch {
            for waiting in batch { waiting.continuation.resume(throwing: error) }
            return
        }
        do {
            let rowIDs = try await queue.database.transaction { db in
                var rowIDs: [[Int64]] = []
                for waiting in batch { rowIDs.append(try await Self.insert(waiting.entry, in: db)) }
                return rowIDs
            }
            for (waiting, ids) in zip(batch, rowIDs) { waiting.continuation.resume(returning: ids) }
        } catch  where batch.count > 1 {
            // Find the message that failed: each on its own now.
            for waiting in batch {
                do {
                    let ids = try await queue.database.transaction { db in try await Self.insert(waiting.entry, in: db) }
                    waiting.continuation.resume(returning: ids)
                } catch {
                    waiting.continuation.resume(throwing: error)
                }
            }
        } catch {
            for waiting in batch { waiting.continuation.resume(throwing: error) }
        }
    }

    private static func insert(_ entry: Entry, in db: any SQLDatabase) async throws -> [Int64] {
        try await entry.alongside?(db)
        return try await MailQueue.insert(
            id: entry.id, size: entry.size, now: entry.now, due: entry.due, envelope: entry.envelope,
            deliveries: entry.deliveries, held: entry.held, headers: entry.headers, in: db)
    }
}
