#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An address block written `address/bits` (or a bare address), for lists of trusted client
/// networks in the configuration and the networks compromised-account detection groups clients
/// by. Addresses are read with `inet_pton` and written with `inet_ntop`.
public struct NetworkPrefix: Sendable, Hashable, CustomStringConvertible {
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

    /// The block of `bits` (`v4` for an IPv4 address, `v6` for IPv6) that holds the address
    /// `text`, host bits cleared; nil when `text` is not an address.
    public init?(network text: String, v4: Int, v6: Int) {
        guard let bytes = Self.addressBytes(text) else { return nil }
        let bits = max(0, min(bytes.count * 8, bytes.count == 4 ? v4 : v6))
        self.init(bytes: Self.clearingHostBits(bytes, keeping: bits), bits: bits)
    }

    private init(bytes: [UInt8], bits: Int) {
        self.bytes = bytes
        self.bits = bits
    }

    /// The same block with its host bits cleared (`192.0.2.9/24` → `192.0.2.0/24`).
    public var masked: NetworkPrefix {
        NetworkPrefix(bytes: Self.clearingHostBits(bytes, keeping: bits), bits: bits)
    }

    static func clearingHostBits(_ bytes: [UInt8], keeping bits: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = max(0, min(8, bits - index * 8))
            return byte & (keep == 8 ? 0xFF : ~(0xFF >> UInt8(keep)))
        }
    }

    /// `192.0.2.0/24`, `2001:db8::/48`: the address as `inet_ntop` writes it, then the bits.
    public var description: String {
        var address = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, bytes, &address, socklen_t(address.count)) != nil else { return "?/\(bits)" }
        return String(decoding: address.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/\(bits)"
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
