/// A Domain Owner Assessment Policy (RFC 9989 §4.7, tags `p`, `sp`, `np`) and, as applied to a
/// message, its disposition. Ordered from the mildest to the strictest.
public enum DMARCPolicy: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// No preference expressed; mail handling is not changed (RFC 9989 §5.4).
    case none
    /// The Domain Owner considers failing mail suspicious.
    case quarantine
    /// The Domain Owner considers failing mail invalid.
    case reject

    public var description: String { rawValue }

    private var strictness: Int {
        switch self {
        case .none: 0
        case .quarantine: 1
        case .reject: 2
        }
    }

    public static func < (lhs: DMARCPolicy, rhs: DMARCPolicy) -> Bool { lhs.strictness < rhs.strictness }

    /// The policy one level below, as `t=y` asks (RFC 9989 §4.7 `t`): reject → quarantine,
    /// quarantine → none; none stays none.
    public var testModeDowngrade: DMARCPolicy {
        switch self {
        case .reject: .quarantine
        case .quarantine, .none: .none
        }
    }
}

/// Identifier Alignment mode (RFC 9989 §3.2.10, tags `adkim` and `aspf`).
public enum DMARCAlignmentMode: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Same Organizational Domain (§3.2.10.1); the default.
    case relaxed = "r"
    /// Identical domains (§3.2.10.2).
    case strict = "s"

    public var description: String { rawValue }
}

/// The `psd` tag (RFC 9989 §4.7): whether a record is published for a Public Suffix Domain.
public enum DMARCPublicSuffixFlag: String, Sendable, Hashable, Codable {
    /// The domain is a PSD.
    case yes = "y"
    /// Not a PSD, and the Organizational Domain for itself and its subdomains.
    case no = "n"
    /// Not a PSD; the tree walk decides (the default).
    case unknown = "u"
}
