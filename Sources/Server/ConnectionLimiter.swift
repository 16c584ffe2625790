import NIOConcurrencyHelpers

/// Counts open connections, server-wide and per client IP, and refuses those over the limits.
public final class ConnectionLimiter: Sendable {
    public let maxTotal: Int
    private let state = NIOLockedValueBox(State())

    private struct State {
        var total = 0
        var perIP: [String: Int] = [:]
    }

    public init(maxTotal: Int) {
        self.maxTotal = maxTotal
    }

    /// Claims a slot for `ip` unless the server or that IP (`maxPerIP`) is full.
    public func acquire(ip: String, maxPerIP: Int) -> Bool {
        state.withLockedValue { s in
            let mine = s.perIP[ip, default: 0]
            guard s.total < maxTotal, mine < maxPerIP else { return false }
            s.total += 1
            s.perIP[ip] = mine + 1
            return true
        }
    }

    /// Gives back a slot taken by `acquire`.
    public func release(ip: String) {
        state.withLockedValue { s in
            s.total -= 1
            let left = s.perIP[ip, default: 1] - 1
            s.perIP[ip] = left > 0 ? left : nil
        }
    }

    /// Connections open now.
    public var openConnections: Int { state.withLockedValue { $0.total } }

    /// Connections open now from `ip`.
    public func openConnections(ip: String) -> Int { state.withLockedValue { $0.perIP[ip, default: 0] } }
}
