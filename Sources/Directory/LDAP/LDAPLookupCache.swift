import NIOConcurrencyHelpers

/// Directory answers kept for a short time, found and not-found alike (negative caching), so a
/// burst of RCPTs or logins does not become a burst of searches. Bounded: when full, expired
/// answers go first, then the oldest half.
final class LDAPLookupCache<Value: Sendable>: Sendable {
    private struct Item {
        var value: Value?
        var expires: ContinuousClock.Instant
        var stored: ContinuousClock.Instant
    }

    let ttl: Duration
    let negativeTTL: Duration
    let capacity: Int
    private let items = NIOLockedValueBox([String: Item]())

    init(ttl: Duration, negativeTTL: Duration, capacity: Int = 50_000) {
        self.ttl = ttl
        self.negativeTTL = negativeTTL
        self.capacity = capacity
    }

    /// The answer for `key`, or runs `lookup` and keeps its answer (nil: "no such entry").
    func value(for key: String, lookup: () async throws -> Value?) async throws -> Value? {
        let now = ContinuousClock.now
        if let item = items.withLockedValue({ $0[key] }), item.expires > now { return item.value }
        let value = try await lookup()
        let life = value == nil ? negativeTTL : ttl
        guard life > .zero else { return value }
        items.withLockedValue { items in
            if items.count >= capacity { Self.evict(&items, now: now, capacity: capacity) }
            items[key] = Item(value: value, expires: now + life, stored: now)
        }
        return value
    }

    /// Forgets every answer `matches` picks, whatever key it was kept under (after a password
    /// change, so the next login sees the directory's state).
    func removeAll(where matches: (Value) -> Bool) {
        items.withLockedValue { items in
            items = items.filter { _, item in item.value.map { !matches($0) } ?? true }
        }
    }

    private static func evict(_ items: inout [String: Item], now: ContinuousClock.Instant, capacity: Int) {
        items = items.filter { $0.value.expires > now }
        guard items.count >= capacity else { return }
        let oldest = items.sorted { $0.value.stored < $1.value.stored }.prefix(items.count / 2)
        for (key, _) in oldest { items[key] = nil }
    }
}
