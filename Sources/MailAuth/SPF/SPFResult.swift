/// The result of an SPF check (RFC 7208 §2.6), named as in `Received-SPF` and
/// `Authentication-Results` (RFC 8601 §2.7.2).
public enum SPFResult: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No syntactically valid domain, or no SPF record (§2.6.1).
    case none
    /// The domain owner states nothing about the client (§2.6.2).
    case neutral
    /// The client is authorized (§2.6.3).
    case pass
    /// The client is not authorized (§2.6.4).
    case fail
    /// Probably not authorized; a weak `fail` (§2.6.5).
    case softfail
    /// A transient (generally DNS) error; a later retry may succeed (§2.6.6).
    case temperror
    /// The published records could not be interpreted correctly (§2.6.7).
    case permerror

    public var description: String { rawValue }
}
