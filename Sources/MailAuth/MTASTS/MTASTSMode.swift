/// The `mode` of an MTA-STS policy (RFC 8461 §3.2, §5).
public enum MTASTSMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Deliver only to MX hosts the policy names, over TLS with a verified certificate.
    case enforce
    /// Report failures (TLS-RPT) but deliver as if there were no policy.
    case testing
    /// The domain withdrew its policy: deliver as if there were none.
    case none
}
