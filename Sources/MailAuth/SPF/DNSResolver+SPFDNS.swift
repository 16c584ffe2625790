import DNS

/// The project's stub resolver as SPF's DNS: answers map one to one (NXDOMAIN, no data,
/// records); every `DNSError` (timeout, SERVFAIL, REFUSED, unreachable, malformed, CNAME
/// loop) is thrown on, for the evaluator to treat as a temporary failure.
extension DNSResolver: SPFDNS {
    public func a(_ name: String) async throws -> DNSResult<[IPAddress]> {
        try await query(Self.spfName(name), .a).result { $0.compactMap(\.address) }
    }

    public func aaaa(_ name: String) async throws -> DNSResult<[IPAddress]> {
        try await query(Self.spfName(name), .aaaa).result { $0.compactMap(\.address) }
    }

    public func txt(_ name: String) async throws -> DNSResult<[String]> {
        try await query(Self.spfName(name), .txt).result { $0.compactMap(\.txt?.text) }
    }

    public func mx(_ name: String) async throws -> DNSResult<[String]> {
        try await query(Self.spfName(name), .mx).result { $0.compactMap(\.mx?.exchange.description) }
    }

    public func ptr(_ address: IPAddress) async throws -> DNSResult<[String]> {
        try await query(DNSName.reverseLookupName(for: address), .ptr).result {
            $0.compactMap(\.targetName?.description)
        }
    }

    /// Names built by macro expansion may hold any octet (RFC 7208 §7.3 only asks for labels
    /// and length, RFC 2181 §11 allows any octet in a label): octets other than printable
    /// ASCII, and the backslash, are given to `DNSName` as RFC 1035 §5.1 `\DDD` escapes.
    static func spfName(_ text: String) throws -> DNSName {
        var escaped = ""
        for octet in text.utf8 {
            if (0x21...0x7E).contains(octet) && octet != UInt8(ascii: "\\") {
                escaped.unicodeScalars.append(UnicodeScalar(octet))
            } else {
                let digits = String(octet)
                escaped += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return try DNSName(escaped)
    }
}
