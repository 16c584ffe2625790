import DNS

/// The one lookup DMARC makes: TXT records by name, in text form without the trailing dot
/// (RFC 9989 §4.5: `_dmarc.<domain>`; RFC 9990 §4: `<domain>._report._dmarc.<host>`), each
/// record's character-strings concatenated (RFC 9989 §4.5). NXDOMAIN and "no data" are answers; a
/// lookup that gets no usable answer (timeout, SERVFAIL, …) throws, which DMARC turns into
/// `temperror` (RFC 9989 §5.3.6).
///
/// `DNSResolver` meets it (its `txt` is the one SPF uses); tests use an in-memory zone.
public protocol DMARCDNS: Sendable {
    func txt(_ name: String) async throws -> DNSResult<[String]>
}

extension DNSResolver: DMARCDNS {}
