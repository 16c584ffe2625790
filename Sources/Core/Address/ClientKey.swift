#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The unit that per-client limits count by: an IPv4 address, or the network prefix of an IPv6
/// address (a /64 by default: one host commonly holds a whole /64, RFC 7421 §1, so counting single
/// IPv6 addresses would let it rotate past every limit). An IPv4-mapped IPv6 address
/// (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) counts as its IPv4 address. Text that is no address
/// (a Unix socket peer, "unknown") is its own key.
public struct ClientKey: Sendable, Hashable, CustomStringConvertible {
    /// `192.0.2.1`, `2001:db8:1:2::/64`, or the text given when it was no address.
    public let description: String

    /// The default IPv6 prefix length.
    public static let defaultIPv6PrefixLength = 64

    /// `ipv6PrefixLength` is clamped to 1...128.
    public init(address: String, ipv6PrefixLength: Int = ClientKey.defaultIPv6PrefixLength) {
        guard let bytes = NetworkPrefix.addressBytes(address) else {
            description = address
            return
        }
        if bytes.count == 4 {
            description = Self.format(bytes)
            return
        }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            description = Self.format(Array(bytes.suffix(4)))
            return
        }
        let bits = min(128, max(1, ipv6PrefixLength))
        var masked = bytes
        for index in masked.indices {
            let keep = min(8, max(0, bits - index * 8))
            masked[index] &= keep == 8 ? 0xFF : ~(0xFF >> UInt8(keep))
        }
        description = bits == 128 ? Self.format(masked) : "\(Self.format(masked))/\(bits)"
    }

    /// `inet_ntop`'s canonical text of 4 or 16 bytes.
    private static func format(_ bytes: [UInt8]) -> String {
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) != nil }
        return ok ? String(cString: text) : bytes.map(String.init).joined(separator: ".")
    }
}
