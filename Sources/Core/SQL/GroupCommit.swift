import NIOConcurrencyHelpers
import NIOPosix
import SQLKit

/// Group commit: small durable writes that arrive at nearly the same moment share their
/// durability work. Each caller writes, fsyncs and renames its own file first (in parallel with the
/// others); then one batch fsyncs every directory its files were renamed into, once each, and runs
/// every caller's rows in one database transaction (one WAL fsync on SQLite, one commit on
/// PostgreSQL). Each caller returns only after the batch holding its work committed.
///
/// Batches form by themselves: when no batch runs, a caller starts one at once (no added latency
/// when idle); while one runs, new callers wait and go together in the next. Within a batch the
/// works run in the order of their `lockOrder` (account, then mailbox), the order every writer
/// takes row locks in, so two batches (on two nodes) cannot deadlock each other on them. When a
/// batch's transaction fails, each work is run again in a transaction of its own with `retry`
/// set, so one failing work fails only its caller; a work must then first look whether its rows
/// are already there (the failed commit may have happened: a connection lost at COMMIT).
public final class GroupCommit: Sendable {
    /// One caller's part of a batch.
    public typealias Work = @Sendable (_ db: any SQLDatabase, _ retry: Bool) async throws -> any Sendable

    private struct Waiting: Sendable {
        let directories: [String]
        let lockOrder: [Int64]
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var running = false
        var batches = 0
        var works = 0
    }

    public let database: Database
    /// Most works one transaction takes (a larger burst runs as several batches).
    public let maximumBatch: Int
    private let state = NIOLockedValueBox(State())

    public init(database: Database, maximumBatch: Int = 256) {
        self.database = database
        self.maximumBatch = maximumBatch
    }

    /// How many batches ran and how many works they held.
    public var counts: (batches: Int, works: Int) { state.withLockedValue { ($0.batches, $0.works) } }

    /// Runs `work` in the next batch's transaction, after `directories` (holding the caller's
    /// renamed files) are fsync'd; returns its result once the transaction committed.
    public func run<R: Sendable>(
        syncing directories: [String], lockOrder: [Int64] = [],
        _ work: @escaping @Sendable (_ db: any SQLDatabase, _ retry: Bool) async throws -> R
    ) async throws -> R {
        let result = try await withCheckedThrowingContinuation { continuation in
            let lead = state.withLockedValue { state -> Bool in
                state.waiting.append(
                    Waiting(
                        directories: directories, lockOrder: lockOrder, work: { try await work($0, $1) },
                        continuation: continuation))
                guard !state.running else { return false }
                state.running = true
                return true
            }
            if lead { Task { await self.drain() } }
        }
        guard let typed = result as? R else { preconditionFailure("a work's result has its own type") }
        return typed
    }

    /// Runs batches until nobody waits.
    private func drain() async {
        while true {
            let batch = state.withLockedValue { state -> [Waiting] in
                let batch = Array(state.waiting.prefix(maximumBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty {
                    state.running = false
                } else {
                    state.batches += 1
                    state.works += batch.count
                }
                return batch
            }
            guard !batch.isEmpty else { return }
            await run(batch.sorted { $0.lockOrder.lexicographicallyPrecedes($1.lockOrder) })
        }
    }

    private func run(_ batch: [Waiting]) async {
        let directories = Array(Set(batch.flatMap(\.directories))).sorted()
        do {
            // The renames are durable before any row names their files.
            try await NIOThreadPool.singleton.runIfActive {
                for directory in directories { try LocalFiles.syncDirectory(directory) }
            }
        } catch {
            for waiting in batch { waiting.continuation.resume(throwing: error) }
            return
        }
        do {
            let results = try await database.transaction { db in
                var results: [any Sendable] = []
                for waiting in batch { results.append(try await waiting.work(db, false)) }
                return results
            }
            for (waiting, result) in zip(batch, results) { waiting.continuation.resume(returning: result) }
        } catch {
            // Find the work that failed (or learn that the commit happened after all): each alone.
            for waiting in batch {
                do {
                    let result = try await database.transaction { db in try await waiting.work(db, true) }
                    waiting.continuation.resume(returning: result)
                } catch {
                    waiting.continuation.resume(throwing: error)
                }
            }
        }
    }
}
