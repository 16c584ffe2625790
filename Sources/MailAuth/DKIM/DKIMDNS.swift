import DNS

/// The one DNS lookup DKIM makes: the TXT records of `selector._domainkey.domain` (RFC 6376
/// §3.6.2), each one's character-strings joined (§3.6.2.2). NXDOMAIN and "no data" are answers;
/// a lookup that gets no usable answer throws, which the verifier reports as `temperror`.
public protocol DKIMDNS: Sendable {
    func txt(_ name: String) async throws -> DNSResult<[String]>
}

/// The project's stub resolver answers DKIM's lookups as it answers SPF's.
extension DNSResolver: DKIMDNS {}
