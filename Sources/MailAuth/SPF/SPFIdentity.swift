/// Which identity an SPF check authorizes (RFC 7208 §2.3, §2.4); the `identity=` key of
/// `Received-SPF` (§9.1) and the property of `Authentication-Results` (RFC 8601 §2.7.2).
public enum SPFIdentity: String, Sendable, Hashable {
    case mailfrom
    case helo
}
