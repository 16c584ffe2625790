import NIOConcurrencyHelpers

/// Message headers kept in memory, keyed by file path: message files are immutable and their
/// names never reused, so an entry never goes stale. ENVELOPE, HEADER.FIELDS fetches and header
/// SEARCH keys (and the webmail's listing) then read no file at all once a mailbox has been looked at.
///
/// Bounded by bytes; the oldest entries go first (FIFO, cheap and good enough for the
/// "same mailbox again and again" pattern of mail clients). Shared by every session of the process.
public final class MessageHeaderCache: Sendable {
    private struct State {
        var entries: [String: [UInt8]] = [:]
        var order: [String] = []
        var head = 0
        var bytes = 0
    }

    public static let shared = MessageHeaderCache(capacity: 64 * 1024 * 1024)

    public let capacity: Int
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int) { self.capacity = capacity }

    public func header(_ path: String) -> [UInt8]? {
        state.withLockedValue { $0.entries[path] }
    }

    public func store(_ header: [UInt8], path: String) {
        guard header.count <= capacity / 16 else { return }
        state.withLockedValue { state in
            guard state.entries[path] == nil else { return }
            state.entries[path] = header
            state.order.append(path)
            state.bytes += header.count + path.utf8.count
            while state.bytes > capacity, state.head < state.order.count {
                let oldest = state.order[state.head]
                state.head += 1
                if let evicted = state.entries.removeValue(forKey: oldest) {
                    state.bytes -= evicted.count + oldest.utf8.count
                }
            }
            // Drop the consumed part of the queue now and then.
            if state.head > 4096 && state.head * 2 > state.order.count {
                state.order.removeFirst(state.head)
                state.head = 0
            }
        }
    }

    public var byteCount: Int { state.withLockedValue { $0.bytes } }
}
