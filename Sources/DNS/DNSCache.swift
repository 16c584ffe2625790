import NIOConcurrencyHelpers

/// Limits of the answer cache.
public struct DNSCacheConfiguration: Sendable, Hashable {
    /// Entries kept at most; 0 turns the cache off.
    public var maxEntries: Int
    /// Upper bound on any positive TTL, seconds (one day by default).
    public var maxTTL: UInt32
    /// Upper bound on a negative TTL, seconds (RFC 2308 §5 suggests one to three hours).
    public var maxNegativeTTL: UInt32

    public init(maxEntries: Int = 10_000, maxTTL: UInt32 = 86_400, maxNegativeTTL: UInt32 = 10_800) {
        self.maxEntries = maxEntries
        self.maxTTL = maxTTL
        self.maxNegativeTTL = maxNegativeTTL
    }
}

/// Answers by (name, type) until their TTL runs out: positive ones by the smallest TTL of the
/// RRset (RFC 2181 §5.2), negative ones by the SOA (RFC 2308 §5). Safe to share between tasks.
public final class DNSCache: Sendable {
    struct Key: Hashable {
        var name: DNSName
        var type: DNSRecordType
    }

    struct Entry {
        var answer: DNSAnswer
        var stored: Double
        var expires: Double
    }

    public let configuration: DNSCacheConfiguration
    private let clock: any DNSClock
    private let entries = NIOLockedValueBox<[Key: Entry]>([:])

    public init(configuration: DNSCacheConfiguration = DNSCacheConfiguration(), clock: any DNSClock = SystemDNSClock()) {
        self.configuration = configuration
        self.clock = clock
    }

    public var count: Int { entries.withLockedValue { $0.count } }

    /// The cached answer with its TTLs lowered by the time spent in the cache, or nil.
    public func lookup(_ name: DNSName, _ type: DNSRecordType) -> DNSAnswer? {
        let now = clock.now()
        let key = Key(name: name, type: type)
        return entries.withLockedValue { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            return entry.answer.aged(by: UInt32(max(0, now - entry.stored)))
        }
    }

    /// Keeps `answer` for its TTL (capped); answers with a zero TTL, and negative answers
    /// without an SOA, are not kept.
    public func insert(_ answer: DNSAnswer) {
        guard configuration.maxEntries > 0, let ttl = answer.cacheTTL else { return }
        let cap = answer.records.isEmpty ? configuration.maxNegativeTTL : configuration.maxTTL
        let seconds = min(ttl, cap)
        guard seconds > 0 else { return }
        let now = clock.now()
        let key = Key(name: answer.question.name, type: answer.question.type)
        let entry = Entry(answer: answer, stored: now, expires: now + Double(seconds))
        let limit = configuration.maxEntries
        entries.withLockedValue { entries in
            if entries[key] == nil && entries.count >= limit {
                Self.evict(&entries, now: now, limit: limit)
            }
            entries[key] = entry
        }
    }

    public func removeAll() {
        entries.withLockedValue { $0.removeAll() }
    }

    /// Drops expired entries; if that is not enough, the tenth of the entries closest to
    /// expiry, so that a full cache does not pay for a scan on every insert.
    private static func evict(_ entries: inout [Key: Entry], now: Double, limit: Int) {
        entries = entries.filter { $0.value.expires > now }
        guard entries.count >= limit else { return }
        let victims = entries.sorted { $0.value.expires < $1.value.expires }.prefix(max(1, limit / 10))
        for victim in victims { entries[victim.key] = nil }
    }
}
