/// A DKIM signing key of the site, as the key store keeps it.
///
/// Life of a key: `active` (signs new mail and is published), then, after a rotation,
/// `retiring` (signs nothing, stays published until `retireAfter` so that mail it signed and
/// that still waits in queues verifies), then `retired` (no longer published; its private half
/// is erased).
public struct DKIMKey: Sendable, Hashable {
    public var id: Int64
    /// `d=`, lower-cased.
    public var domain: String
    /// `s=`, lower-cased, never reused for the domain.
    public var selector: String
    public var algorithm: DKIMAlgorithm
    /// The key size (256 for Ed25519).
    public var bits: Int
    /// PKCS#8 PEM; empty once retired.
    public var privateKeyPEM: String
    /// The `p=` value to publish.
    public var publicKeyBase64: String
    public var state: DKIMKeyState
    public var createdAt: Int64
    /// When a retiring key may be retired (seconds since 1970).
    public var retireAfter: Int64?
    public var retiredAt: Int64?

    /// The name of the TXT record (RFC 6376 §3.6.2.1).
    public var recordName: String { "\(selector)._domainkey.\(domain)" }

    /// The TXT record text (RFC 6376 §3.6.1, RFC 8463 §4).
    public var recordText: String { "v=DKIM1; k=\(algorithm.keyType); p=\(publicKeyBase64)" }

    /// Whether the key's record belongs in DNS now.
    public var isPublished: Bool { state != .retired }

    /// The signer for this key; throws unless the key is active and its PEM reads.
    public func signer() throws -> DKIMSigner {
        guard state == .active else { throw DKIMKeyError.notActive(domain: domain, selector: selector, state: state) }
        return try DKIMSigner(key: DKIMPrivateKey(pem: privateKeyPEM), domain: domain, selector: selector)
    }
}

/// Where a key is in its life (see `DKIMKey`).
public enum DKIMKeyState: String, Sendable, Hashable, CaseIterable, Codable {
    case active
    case retiring
    case retired
}
