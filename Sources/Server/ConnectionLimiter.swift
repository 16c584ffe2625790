import Core
import NIOConcurrencyHelpers

/// Counts open connections, in total and per client (`ClientKey`: an IPv4 address, an IPv6 /64),
/// and refuses those over the limits.
public final class ConnectionLimiter: Sendable {
    public let maxTotal: Int
    private let state = NIOLockedValueBox(State())

    private struct State {
        var total = 0
        var perClient: [ClientKey: Int] = [:]
    }

    public init(maxTotal: Int) {
        self.maxTotal = maxTotal
    }

    /// Claims a slot for `client` unless the total or that client (`maxPerClient`) is full.
    public func acquire(_ client: ClientKey, maxPerClient: Int = .max) -> Bool {
        state.withLockedValue { s in
            let mine = s.perClient[client, default: 0]
            guard s.total < maxTotal, mine < maxPerClient else { return false }
            s.total += 1
            s.perClient[client] = mine + 1
            return true
        }
    }

    /// Gives back a slot taken by `acquire`.
    public func release(_ client: ClientKey) {
        state.withLockedValue { s in
            s.total -= 1
            let left = s.perClient[client, default: 1] - 1
            s.perClient[client] = left > 0 ? left : nil
        }
    }

    /// Connections open now.
    public var openConnections: Int { state.withLockedValue { $0.total } }

    /// Connections open now from `client`.
    public func openConnections(_ client: ClientKey) -> Int { state.withLockedValue { $0.perClient[client, default: 0] } }
}

/// The server-wide connection budget shared by every listener: `limits.max_connections` in total,
/// and each listener class (`mx`, `submission`, `mailbox`, `service`) within its own share, so a
/// flood on port 25 cannot take the slots of people reading or sending their mail.
public struct ConnectionBudget: Sendable {
    public let total: ConnectionLimiter
    public let classes: [ListenerClass: ConnectionLimiter]
    /// IPv6 clients are counted per prefix of this length (`limits.ipv6_prefix_length`).
    public let ipv6PrefixLength: Int

    public init(limits: Limits) {
        total = ConnectionLimiter(maxTotal: limits.maxConnections)
        classes = Dictionary(
            uniqueKeysWithValues: ListenerClass.allCases.map { ($0, ConnectionLimiter(maxTotal: limits.budget($0))) })
        ipv6PrefixLength = limits.ipv6PrefixLength
    }

    /// The limiter of `listenerClass`.
    public func limiter(_ listenerClass: ListenerClass) -> ConnectionLimiter { classes[listenerClass]! }

    /// The key `address` is counted under.
    public func key(_ address: String) -> ClientKey { ClientKey(address: address, ipv6PrefixLength: ipv6PrefixLength) }

    /// Checks `settings`' allow-list for the client at `ip`, then takes a slot in every counter
    /// (total, class, `listener` with its per-client limit); nil when admitted, else why not.
    public func admit(_ ip: String, to settings: ListenerSettings, listener: ConnectionLimiter) -> RefusalReason? {
        guard settings.allows(ip) else { return .notAllowed }
        let client = key(ip)
        let classLimiter = limiter(settings.protocol.listenerClass)
        guard total.acquire(client) else { return .serverFull }
        guard classLimiter.acquire(client) else {
            total.release(client)
            return .serverFull
        }
        guard listener.acquire(client, maxPerClient: settings.maxConnectionsPerIP) else {
            classLimiter.release(client)
            total.release(client)
            return listener.openConnections >= listener.maxTotal ? .serverFull : .tooManyFromClient
        }
        return nil
    }

    /// Gives back the slots `admit` took.
    public func release(_ ip: String, from settings: ListenerSettings, listener: ConnectionLimiter) {
        let client = key(ip)
        listener.release(client)
        limiter(settings.protocol.listenerClass).release(client)
        total.release(client)
    }
}
