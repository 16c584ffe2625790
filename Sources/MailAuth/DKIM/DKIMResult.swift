/// The result of checking one DKIM signature, named as in `Authentication-Results`
/// (RFC 8601 §2.7.1).
public enum DKIMResult: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// The message was not signed.
    case none
    /// The signature verified.
    case pass
    /// The signature or the body hash did not verify.
    case fail
    /// The signature verified but is not accepted for a local reason (here: `l=` leaves part
    /// of the body unsigned).
    case policy
    /// The signature was not checked (here: beyond the number of signatures verified).
    case neutral
    /// A temporary failure, generally the key lookup in DNS; a later retry may succeed.
    case temperror
    /// A signature or key that cannot be used: bad syntax, unknown algorithm, no or revoked
    /// key, key too small, expired.
    case permerror

    public var description: String { rawValue }
}
