import DNS

/// The DNS lookups SPF makes (RFC 7208 §4.4, §5), by name in text form without the trailing dot.
/// NXDOMAIN and "no data" are answers (`DNSResult`); a lookup that gets no usable answer
/// (timeout, SERVFAIL, …) throws, which SPF turns into `temperror` (§2.6.6) or, where the RFC
/// says so, a mechanism that does not match (§5.5).
public protocol SPFDNS: Sendable {
    /// TXT records, each one's character-strings concatenated (§3.3, §4.4).
    func txt(_ name: String) async throws -> DNSResult<[String]>
    /// A records (IPv4 addresses).
    func a(_ name: String) async throws -> DNSResult<[IPAddress]>
    /// AAAA records (IPv6 addresses).
    func aaaa(_ name: String) async throws -> DNSResult<[IPAddress]>
    /// The exchange names of the MX records, in any order (§5.4 does not sort them).
    func mx(_ name: String) async throws -> DNSResult<[String]>
    /// The PTR names of an address's in-addr.arpa or ip6.arpa name, as returned (§5.5).
    func ptr(_ address: IPAddress) async throws -> DNSResult<[String]>
}
