/// How a query travels: UDP first, TCP when the UDP answer was truncated (RFC 1035 §4.2, RFC 7766).
public enum DNSTransportProtocol: Hashable, Sendable {
    case udp
    case tcp
}

/// Carries one query to one nameserver and brings back the matching response. The resolver
/// does everything else (retries, TC handling, rcodes, caching), so tests and later users
/// can put canned answers behind a `DNSResolver` by implementing this.
public protocol DNSTransport: Sendable {
    /// Sends `query` to `server` and returns the first response that `isResponse(to:)` the query
    /// and comes from `server`; ignores anything else until `timeout`, then throws
    /// `DNSError.timeout`. Throws `DNSError.malformed` for an unparsable response that carries
    /// the query's ID, and `DNSError.unreachable` for socket errors.
    func exchange(
        _ query: DNSMessage, with server: DNSNameserver, over transport: DNSTransportProtocol, timeout: Duration
    ) async throws -> DNSMessage
}
