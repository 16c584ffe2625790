#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client's network for the abuse rules: its address with the host bits cleared, written
/// `192.0.2.0/24` or `2001:db8:1::/48` (the prefix lengths of `[abuse] network_prefix_v4/v6`).
public enum AbuseNetwork {
    /// The network of `ip`; the text itself when it is not an address (never fails).
    public static func key(_ ip: String, v4: Int = 24, v6: Int = 48) -> String {
        guard ip.utf8.count <= 64 else { return String(ip.prefix(64)) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let family = ip.contains(":") ? AF_INET6 : AF_INET
        guard inet_pton(family, ip, &buffer) == 1 else { return ip }
        let length = family == AF_INET ? 4 : 16
        let bits = max(0, min(length * 8, family == AF_INET ? v4 : v6))
        for index in 0..<length {
            let keep = max(0, min(8, bits - index * 8))
            buffer[index] &= keep == 8 ? 0xFF : ~(0xFF >> UInt8(keep))
        }
        var text = [CChar](repeating: 0, count: 64)
        guard inet_ntop(family, buffer, &text, socklen_t(text.count)) != nil else { return ip }
        let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(address)/\(bits)"
    }

    /// Whether `text` is an address or a network (`address/bits`) as `posta abuse ignore` takes it;
    /// returns its canonical network form (a bare address is its own /32 or /128).
    public static func parse(_ text: String) -> String? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = String(parts[0])
        var buffer = [UInt8](repeating: 0, count: 16)
        let family = address.contains(":") ? AF_INET6 : AF_INET
        guard inet_pton(family, address, &buffer) == 1 else { return nil }
        let maximum = family == AF_INET ? 32 : 128
        var bits = maximum
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...maximum).contains(given) else { return nil }
            bits = given
        }
        return key(address, v4: bits, v6: bits)
    }

    /// Whether `ip` lies in `network` (the canonical form of `parse`).
    public static func contains(_ network: String, _ ip: String) -> Bool {
        guard let slash = network.lastIndex(of: "/"), let bits = Int(network[network.index(after: slash)...]) else {
            return false
        }
        return key(ip, v4: bits, v6: bits) == network
    }

    /// Protocols whose login sends mail rather than reads it (`login_event.protocol`).
    public static let sendingProtocols: Set<String> = ["smtp", "smtps", "submission", "submissions", "lmtp"]
}
