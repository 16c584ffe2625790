#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The unit by which per-client limits (connections per client, login throttles) count a client
/// address. One IPv4 address is one client; an IPv6 client is its prefix (a /64 by default: one
/// subscriber's LAN, RFC 6177, inside which a host can pick any of 2^64 addresses); an IPv4-mapped
/// IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) is the IPv4 address it carries.
public struct ClientKey: Sendable, Hashable, CustomStringConvertible {
    /// `192.0.2.1`, `2001:db8:1:2::/64`, or the given text unchanged when it is not an address.
    public let description: String

    /// The default prefix length that groups IPv6 addresses (`limits.ipv6_prefix_length`).
    public static let defaultIPv6PrefixLength = 64

    /// The key of the client at `address` (IP text without port or brackets).
    public init(address: String, ipv6PrefixLength: Int = ClientKey.defaultIPv6PrefixLength) {
        guard let bytes = NetworkPrefix.addressBytes(address) else {
            description = address
            return
        }
        if bytes.count == 4 {
            description = bytes.map(String.init).joined(separator: ".")
            return
        }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            description = bytes[12...].map(String.init).joined(separator: ".")
            return
        }
        let bits = min(128, max(0, ipv6PrefixLength))
        var masked = bytes
        for index in 0..<16 {
            let keep = min(8, max(0, bits - index * 8))
            masked[index] &= keep == 8 ? 0xFF : ~(0xFF >> UInt8(keep))
        }
        description = Self.ipv6Text(masked) + (bits == 128 ? "" : "/\(bits)")
    }

    /// RFC 5952 text of 16 bytes, through `inet_ntop`.
    static func ipv6Text(_ bytes: [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(AF_INET6, raw.baseAddress, &text, socklen_t(text.count))
        }
        guard written != nil else { return "::" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
