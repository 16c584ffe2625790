/// Why a lookup produced no answer. NXDOMAIN and "no data" are not errors: they are answers
/// (`DNSAnswer.Kind.nxDomain`, `.noData`). Everything here is, for SPF (RFC 7208 §5, §2.6.6),
/// a `temperror` — except `invalidName`, which is the caller's mistake.
public enum DNSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No nameserver answered within the timeout on any attempt.
    case timeout
    /// The nameservers answered SERVFAIL (RFC 1035 §4.1.1 RCODE 2).
    case serverFailure
    /// The nameservers answered REFUSED (RFC 1035 §4.1.1 RCODE 5).
    case refused
    /// A packet broke the wire format of RFC 1035 §4 (bad lengths, compression loops, …).
    case malformed(String)
    /// Another response code we cannot use (FORMERR, NOTIMP, BADVERS, …).
    case unexpectedResponseCode(DNSResponseCode)
    /// The nameserver could not be reached (connection refused, network unreachable, …).
    case unreachable(String)
    /// The name cannot be queried: non-ASCII (IDNA is not done here), empty label,
    /// label over 63 octets or name over 255 octets (RFC 1035 §2.3.4).
    case invalidName(String)
    /// Not an IPv4 or IPv6 address in text form.
    case invalidAddress(String)
    /// No nameserver configured.
    case noNameservers
    /// A CNAME chain longer than the configured limit, or one that loops.
    case cnameChain(String)

    public var description: String {
        switch self {
        case .timeout: "DNS timeout: no nameserver answered"
        case .serverFailure: "DNS server failure (SERVFAIL)"
        case .refused: "DNS query refused (REFUSED)"
        case .malformed(let why): "malformed DNS message: \(why)"
        case .unexpectedResponseCode(let rcode): "unexpected DNS response code \(rcode)"
        case .unreachable(let why): "DNS nameserver unreachable: \(why)"
        case .invalidName(let why): "invalid DNS name: \(why)"
        case .invalidAddress(let text): "invalid IP address \"\(text)\""
        case .noNameservers: "no DNS nameserver configured"
        case .cnameChain(let why): "CNAME chain: \(why)"
        }
    }

    /// How much an error says about the nameservers, to choose which of several failed tries to report.
    var weight: Int {
        switch self {
        case .serverFailure: 6
        case .refused: 5
        case .unexpectedResponseCode: 4
        case .malformed: 3
        case .unreachable: 2
        case .timeout: 1
        default: 0
        }
    }
}
