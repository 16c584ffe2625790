/// A signing algorithm of the `a=` tag (RFC 6376 §3.3): the key type and the hash.
public enum DKIMAlgorithm: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// RSASSA-PKCS1-v1_5 over SHA-256 (RFC 6376 §3.3.2); keys of 1024 bits or more (RFC 8301 §3.2).
    case rsaSHA256 = "rsa-sha256"
    /// PureEdDSA Ed25519 over the SHA-256 hash of the header (RFC 8463 §3).
    case ed25519SHA256 = "ed25519-sha256"

    /// The `k=` key type of a key record that may verify this algorithm (RFC 6376 §3.6.1, RFC 8463 §4).
    public var keyType: String {
        switch self {
        case .rsaSHA256: "rsa"
        case .ed25519SHA256: "ed25519"
        }
    }

    /// The short name an administrator types (`--algorithm rsa|ed25519`).
    public var shortName: String { keyType }

    public var description: String { rawValue }

    /// Parses `a=`. `rsa-sha1` is known but refused: RFC 8301 §3.1 says verifiers must not
    /// consider rsa-sha1 signatures valid.
    static func parse(_ text: String) throws(DKIMSyntaxError) -> DKIMAlgorithm {
        if let algorithm = DKIMAlgorithm(rawValue: text.lowercased()) { return algorithm }
        if text.lowercased() == "rsa-sha1" { throw DKIMSyntaxError("rsa-sha1 is not accepted (RFC 8301)") }
        throw DKIMSyntaxError("unknown algorithm \"\(DKIMTagList.printable(text.utf8))\"")
    }
}
