/// Bounds on what an MTA-STS policy may hold; anything beyond them makes the policy invalid.
public enum MTASTSLimits {
    /// RFC 8461 §3.3: senders may limit the policy body; 64 KiB is the RFC's own suggestion.
    public static let maxPolicySize = 64 * 1024
    /// RFC 8461 §3.2: `max_age` is at most 31557600 seconds (about a year); larger values are
    /// treated as this.
    public static let maxAge: Int64 = 31_557_600
    /// Most `mx` lines kept from one policy (the RFC sets none; a real domain has a handful).
    public static let maxMXPatterns = 100
    /// Most lines in one policy file.
    public static let maxLines = 1_000
    /// Longest `id` of the TXT record (RFC 8461 §3.1: `1*32(ALPHA / DIGIT)`).
    public static let maxIDLength = 32
}
