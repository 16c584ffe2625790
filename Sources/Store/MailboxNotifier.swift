import NIOConcurrencyHelpers

/// Tells watchers (IMAP IDLE, POP3 nothing, webmail push) that a mailbox changed.
///
/// The store calls `changed` after each committed change. Streams coalesce: a watcher that is
/// busy sees one element for any number of changes since it last looked, and then re-reads
/// the index. `PostgresMailboxNotifier` extends the local one to cluster nodes sharing PostgreSQL.
public protocol MailboxNotifier: Sendable {
    /// Wakes every watcher of `mailboxID`.
    func changed(mailboxID: Int64)
    /// Yields once after each change (coalesced) until the consumer stops iterating.
    func changes(mailboxID: Int64) -> AsyncStream<Void>
    /// Stops background work (connections, pending sends) before the database closes.
    func shutdown() async
}

extension MailboxNotifier {
    public func shutdown() async {}
}

/// An in-process broadcast: enough for one node.
public final class LocalMailboxNotifier: MailboxNotifier {
    private struct State {
        var nextID = 0
        var watchers: [Int64: [Int: AsyncStream<Void>.Continuation]] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func changed(mailboxID: Int64) {
        let continuations = state.withLockedValue { Array(($0.watchers[mailboxID] ?? [:]).values) }
        for continuation in continuations { continuation.yield() }
    }

    /// Wakes every watcher of every mailbox (after changes may have been missed).
    public func changedAll() {
        let continuations = state.withLockedValue { $0.watchers.values.flatMap(\.values) }
        for continuation in continuations { continuation.yield() }
    }

    public func changes(mailboxID: Int64) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLockedValue { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        continuation.onTermination = { [state] _ in
            state.withLockedValue { state in
                state.watchers[mailboxID]?[id] = nil
                if state.watchers[mailboxID]?.isEmpty == true { state.watchers[mailboxID] = nil }
            }
        }
        state.withLockedValue { $0.watchers[mailboxID, default: [:]][id] = continuation }
        return stream
    }

    /// How many streams watch `mailboxID` (for tests and metrics).
    public func watcherCount(mailboxID: Int64) -> Int {
        state.withLockedValue { $0.watchers[mailboxID]?.count ?? 0 }
    }
}
