/// One `mx` line of an MTA-STS policy: a host name, or `*.` and a domain (RFC 8461 §3.2
/// `sts-policy-mx-value = ["*."] Domain`), stored lower-case without a trailing dot.
public struct MTASTSMXPattern: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name after the optional `*.`.
    public var domain: String
    /// The pattern began with `*.`: it stands for exactly one further label.
    public var isWildcard: Bool

    /// Parses a pattern; nil when it is not `["*."] Domain` with LDH labels of 1 to 63 octets and
    /// at most 253 octets in all (RFC 5321 §4.1.2 `Domain`, RFC 1035 §2.3.4).
    public init?(_ text: String) {
        var name = Substring(text)
        let wildcard = name.hasPrefix("*.")
        if wildcard { name = name.dropFirst(2) }
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else { return nil }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), bytes.first != 0x2D, bytes.last != 0x2D,
                bytes.allSatisfy({ $0.isASCIILetterOrDigit || $0 == 0x2D })
            else { return nil }
        }
        self.domain = name.lowercased()
        self.isWildcard = wildcard
    }

    public var description: String { (isWildcard ? "*." : "") + domain }

    /// Whether the MX host `host` is one this pattern allows (RFC 8461 §4.1): equal names, or for
    /// a wildcard, `host` is one label followed by the pattern's domain (`*.example.com` takes
    /// `mx1.example.com`, neither `example.com` nor `a.mx1.example.com`). Case is ignored and so
    /// is a trailing dot.
    public func matches(_ host: String) -> Bool {
        var host = Substring(host.lowercased())
        if host.hasSuffix(".") { host = host.dropLast() }
        guard isWildcard else { return host == domain[...] }
        guard let dot = host.firstIndex(of: "."), dot != host.startIndex else { return false }
        return host[host.index(after: dot)...] == domain[...]
    }
}
