import DNS

extension IPAddress {
    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2) is the IPv4 client it
    /// stands for: SPF evaluates it with A lookups and `ip4` networks (RFC 7208 §5, the suite's
    /// "ip4-mapped" cases).
    var unmapped: IPAddress {
        guard isIPv6, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return self }
        return IPAddress(bytes: Array(bytes[12...]))!
    }

    /// Whether the first `prefixLength` bits equal those of `network` (same family only;
    /// RFC 7208 §5.6: "matches if <ip> and the network ... match in the first CIDR bits").
    func isIn(_ network: IPAddress, prefixLength: Int) -> Bool {
        guard bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(bytes, network.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if mine & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// The `i` macro (RFC 7208 §7.3): dotted quad, or for IPv6 the 32 nibbles in upper-case hex
    /// separated by dots (as in the §7.4 examples).
    var spfDotted: String {
        if isIPv4 { return description }
        let hex = Array("0123456789ABCDEF")
        return bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] }.map(String.init).joined(separator: ".")
    }

    /// The `v` macro: "in-addr" for IPv4, "ip6" for IPv6 (RFC 7208 §7.3).
    var spfVersionLabel: String { isIPv4 ? "in-addr" : "ip6" }
}
