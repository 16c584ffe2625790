import Core

/// A client's network for the abuse rules: its address with the host bits cleared, written
/// `192.0.2.0/24` or `2001:db8:1::/48` (the prefix lengths of `[abuse] network_prefix_v4/v6`),
/// through Core's `NetworkPrefix`.
public enum AbuseNetwork {
    /// The network of `ip`; the text itself when it is not an address (never fails).
    public static func key(_ ip: String, v4: Int = 24, v6: Int = 48) -> String {
        guard ip.utf8.count <= 64 else { return String(ip.prefix(64)) }
        return NetworkPrefix(network: ip, v4: v4, v6: v6)?.description ?? ip
    }

    /// Whether `text` is an address or a network (`address/bits`) as `posta abuse ignore` takes it;
    /// returns its canonical network form (a bare address is its own /32 or /128).
    public static func parse(_ text: String) -> String? {
        NetworkPrefix(parsing: text)?.masked.description
    }

    /// Whether `ip` lies in `network` (the canonical form of `parse`).
    public static func contains(_ network: String, _ ip: String) -> Bool {
        NetworkPrefix(parsing: network)?.contains(ip) ?? false
    }

    /// Protocols whose login sends mail rather than reads it (`login_event.protocol`).
    public static let sendingProtocols: Set<String> = ["smtp", "smtps", "submission", "submissions", "lmtp"]
}
