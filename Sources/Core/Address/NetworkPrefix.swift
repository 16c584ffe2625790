#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An address block written `address/bits` (or a bare address), for lists of trusted client
/// networks in the configuration. Addresses are read with `inet_pton`.
public struct NetworkPrefix: Sendable, Hashable {
    /// The address in network byte order (4 or 16 bytes).
    public let bytes: [UInt8]
    public let bits: Int

    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.addressBytes(String(parts[0])) else { return nil }
        var bits = bytes.count * 8
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...bits).contains(given) else { return nil }
            bits = given
        }
        self.bytes = bytes
        self.bits = bits
    }

    /// Whether the address `text` lies in this block (false for other families and non-addresses).
    public func contains(_ text: String) -> Bool {
        guard let candidate = Self.addressBytes(text), candidate.count == bytes.count else { return false }
        var remaining = bits
        for (a, b) in zip(candidate, bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a & mask != b & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// IPv4 or IPv6 text (an IPv6 zone or brackets are not accepted) as bytes.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let family = text.contains(":") ? AF_INET6 : AF_INET
        guard inet_pton(family, text, &buffer) == 1 else { return nil }
        return Array(buffer.prefix(family == AF_INET ? 4 : 16))
    }
}
