/// The outcome of one lookup, after CNAME chains were followed.
public struct DNSAnswer: Hashable, Sendable {
    /// What the DNS said about the name and type (RFC 2308 §1: NXDOMAIN versus NODATA).
    public enum Kind: Hashable, Sendable {
        /// Records of the asked type at the canonical name (never empty).
        case records([DNSResourceRecord])
        /// The name exists but has no record of the type (NOERROR, empty answer).
        case noData
        /// The name does not exist (RCODE 3); after a CNAME, the target does not (RFC 6604 §2.1).
        case nxDomain
    }

    public let question: DNSQuestion
    public let kind: Kind
    public let rcode: DNSResponseCode
    /// The CNAME records that led from the asked name to `canonicalName`, in order.
    public let aliases: [DNSResourceRecord]
    /// The SOA record of a negative answer's authority section, if any (RFC 2308 §3).
    public let soa: DNSResourceRecord?
    /// The AD bit of the (last) response (RFC 4035 §3.2.3); only as trustworthy as the path
    /// to the resolver.
    public let authenticData: Bool

    public init(
        question: DNSQuestion, kind: Kind, rcode: DNSResponseCode, aliases: [DNSResourceRecord] = [],
        soa: DNSResourceRecord? = nil, authenticData: Bool = false
    ) {
        self.question = question
        self.kind = kind
        self.rcode = rcode
        self.aliases = aliases
        self.soa = soa
        self.authenticData = authenticData
    }

    /// The records of the asked type; empty for `.noData` and `.nxDomain`.
    public var records: [DNSResourceRecord] {
        if case .records(let records) = kind { records } else { [] }
    }

    /// The name the records belong to: the last CNAME target, or the asked name.
    public var canonicalName: DNSName { aliases.last?.targetName ?? question.name }

    /// RFC 7208 §4.6.4: a "void lookup" is one that gives no records (NXDOMAIN or no data).
    public var isVoid: Bool { records.isEmpty }

    /// How long the answer may be cached, in seconds: the smallest TTL of the records and
    /// aliases (RFC 2181 §5.2), or for a negative answer the smaller of the SOA's TTL and
    /// MINIMUM (RFC 2308 §5); `nil` when a negative answer carries no SOA (not cached, §5).
    public var cacheTTL: UInt32? {
        switch kind {
        case .records(let records):
            return (records + aliases).map(\.effectiveTTL).min()
        case .noData, .nxDomain:
            guard let soa, let minimum = soa.soa?.minimum else { return nil }
            return (aliases.map(\.effectiveTTL) + [soa.effectiveTTL, minimum]).min()
        }
    }

    /// The same answer with every TTL lowered by `seconds` (for answers served from cache).
    func aged(by seconds: UInt32) -> DNSAnswer {
        func age(_ record: DNSResourceRecord) -> DNSResourceRecord {
            var record = record
            record.ttl = record.effectiveTTL > seconds ? record.effectiveTTL - seconds : 0
            return record
        }
        let kind: Kind =
            switch self.kind {
            case .records(let records): .records(records.map(age))
            case .noData, .nxDomain: self.kind
            }
        return DNSAnswer(
            question: question, kind: kind, rcode: rcode, aliases: aliases.map(age), soa: soa.map(age),
            authenticData: authenticData)
    }
}

/// A lookup's value, or which of the two "nothing" answers came back. The convenience lookups
/// return this so that callers can tell NXDOMAIN from "no data" (outbound SMTP falls back to
/// A/AAAA only on no data, RFC 5321 §5.1; SPF counts both as void, RFC 7208 §4.6.4), while
/// failures (timeout, SERVFAIL, …) are thrown as `DNSError`.
public enum DNSResult<Value: Sendable & Hashable>: Sendable, Hashable {
    case found(Value)
    case noData
    case nxDomain

    /// The value, or nil for no data and NXDOMAIN.
    public var value: Value? {
        if case .found(let value) = self { value } else { nil }
    }
}
