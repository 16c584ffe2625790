import DNS

/// A mechanism (RFC 7208 §5) with its arguments parsed: target names still as macro-strings,
/// expanded at evaluation.
enum SPFMechanism: Hashable, Sendable {
    /// Prefix lengths of `a` and `mx` for IPv4 and IPv6 clients (§5.6 `dual-cidr-length`).
    struct DualCIDR: Hashable, Sendable {
        var ip4 = 32
        var ip6 = 128
    }

    case all
    case include(SPFMacroString)
    case a(SPFMacroString?, DualCIDR)
    case mx(SPFMacroString?, DualCIDR)
    case ptr(SPFMacroString?)
    case ip4(IPAddress, prefixLength: Int)
    case ip6(IPAddress, prefixLength: Int)
    case exists(SPFMacroString)

    /// §4.6.4: the terms whose evaluation queries DNS, counted against the limit of 10.
    var queriesDNS: Bool {
        switch self {
        case .include, .a, .mx, .ptr, .exists: true
        case .all, .ip4, .ip6: false
        }
    }
}
