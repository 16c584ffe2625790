import DNS

/// An IPv4 or IPv6 network: an address and a prefix length (`192.0.2.0/24`, `2001:db8::/32`).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// `address/len`, or a bare address (a host network).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...bits).contains(given) else { return nil }
            length = given
        }
        self.init(address: address, prefixLength: length)
    }

    /// The network of `address` under a prefix of `prefixLength` bits (clamped to the family).
    public init(address: IPAddress, prefixLength: Int) {
        let bits = address.bytes.count * 8
        let length = max(0, min(bits, prefixLength))
        self.address = IPAddress(bytes: Self.masked(address.bytes, length))!
        self.prefixLength = length
    }

    /// Whether `candidate` is inside this network (same family only).
    public func contains(_ candidate: IPAddress) -> Bool {
        candidate.bytes.count == address.bytes.count && Self.masked(candidate.bytes, prefixLength) == address.bytes
    }

    public var description: String { "\(address)/\(prefixLength)" }

    static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        var remaining = length
        return bytes.map { byte in
            defer { remaining -= 8 }
            if remaining >= 8 { return byte }
            if remaining <= 0 { return 0 }
            return byte & ~(0xFF >> UInt8(remaining))
        }
    }
}

extension IPAddress {
    /// The client's network for greylisting and quotas: IPv4 under `ipv4Prefix`, IPv6 under
    /// `ipv6Prefix`, written `address/len`. Text that is no address is returned as it is.
    static func network(of text: String, ipv4Prefix: Int, ipv6Prefix: Int = 64) -> String {
        guard let address = IPAddress(text) else { return text }
        return IPNetwork(address: address, prefixLength: address.isIPv4 ? ipv4Prefix : ipv6Prefix).description
    }
}
