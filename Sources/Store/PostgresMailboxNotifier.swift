import Core
import Logging
import NIOConcurrencyHelpers

/// Mailbox notifications for cluster nodes that share one PostgreSQL database.
///
/// `changed` wakes this node's watchers at once and queues `NOTIFY posta_mailbox,
/// '<node id>:<mailbox id>'` for a background sender (the caller never waits for the database).
/// The first `changes` call starts a listener on a connection of its own that turns other nodes'
/// notifications into local wake-ups; it reconnects with bounded exponential backoff, and each
/// time `LISTEN` (re)starts it wakes every watcher once, since changes may have been missed.
/// Call `shutdown` before closing the database: it sends what is queued and closes the listener.
public final class PostgresMailboxNotifier: MailboxNotifier {
    /// The PostgreSQL notification channel.
    public static let channel = "posta_mailbox"

    private struct State {
        /// Mailboxes changed here and not yet announced, in order, each once.
        var pending: [Int64] = []
        var pendingSet: Set<Int64> = []
        var sender: Task<Void, Never>?
        var listener: Task<Void, Never>?
        var listening = false
        var closed = false
    }

    private let local = LocalMailboxNotifier()
    private let database: Database
    private let nodeID: String
    private let reconnectDelay: ClosedRange<Duration>
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    /// Wakes the sender; coalesces, as the pending set holds the work.
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    /// `reconnectDelay`: the first wait after a lost or failed connection, doubling up to the bound.
    public init(
        database: Database, nodeID: String,
        reconnectDelay: ClosedRange<Duration> = .milliseconds(100)...(.seconds(5)), logger: Logger
    ) {
        self.database = database
        self.nodeID = nodeID
        self.reconnectDelay = reconnectDelay
        self.logger = logger
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        state.withLockedValue { $0.sender = Task { [self] in await send() } }
    }

    public func changed(mailboxID: Int64) {
        local.changed(mailboxID: mailboxID)
        let queued = state.withLockedValue { state in
            guard !state.closed else { return false }
            if state.pendingSet.insert(mailboxID).inserted { state.pending.append(mailboxID) }
            return true
        }
        if queued { wake.yield() }
    }

    public func changes(mailboxID: Int64) -> AsyncStream<Void> {
        let stream = local.changes(mailboxID: mailboxID)
        state.withLockedValue { state in
            guard !state.closed, state.listener == nil else { return }
            state.listener = Task { [self] in await listen() }
        }
        return stream
    }

    /// Whether `LISTEN` is in effect now (for tests and health checks).
    public var isListening: Bool { state.withLockedValue { $0.listening } }

    public func shutdown() async {
        let (sender, listener) = state.withLockedValue { state in
            state.closed = true
            return (state.sender, state.listener)
        }
        wake.finish()
        listener?.cancel()
        await listener?.value
        await sender?.value
    }

    // MARK: Sending

    private func send() async {
        for await _ in wakes { await flush() }
        await flush()
    }

    private func flush() async {
        let batch = state.withLockedValue { state in
            defer { (state.pending, state.pendingSet) = ([], []) }
            return state.pending
        }
        do {
            try await database.notify(channel: Self.channel, payloads: batch.map { "\(nodeID):\($0)" })
        } catch {
            // Listeners that missed this also lost their connection, and wake everyone on reconnect.
            logger.warning("mailbox notification not sent", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    // MARK: Listening

    private func listen() async {
        var delay = reconnectDelay.lowerBound
        while !Task.isCancelled {
            let connected = NIOLockedValueBox(false)
            do {
                try await database.listen(channel: Self.channel) { [self] in
                    connected.withLockedValue { $0 = true }
                    local.changedAll()
                    state.withLockedValue { $0.listening = true }
                } received: { [self] payload in
                    receive(payload)
                }
            } catch {
                logger.warning(
                    "mailbox notifications: LISTEN failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            state.withLockedValue { $0.listening = false }
            if connected.withLockedValue({ $0 }) { delay = reconnectDelay.lowerBound }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, reconnectDelay.upperBound)
        }
    }

    /// Wakes the watchers of a mailbox another node changed; this node's own are already awake.
    private func receive(_ payload: String) {
        guard let colon = payload.lastIndex(of: ":"), let mailboxID = Int64(payload[payload.index(after: colon)...])
        else {
            logger.warning("mailbox notification ignored", metadata: ["payload": "\(payload)"])
            return
        }
        if payload[..<colon] != nodeID { local.changed(mailboxID: mailboxID) }
    }
}
