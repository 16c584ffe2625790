import Crypto
import _CryptoExtras

/// A verification key taken from a key record (RFC 6376 §3.6.1, RFC 8463 §4).
public enum DKIMPublicKey: Sendable {
    case rsa(_RSA.Signing.PublicKey)
    case ed25519(Curve25519.Signing.PublicKey)

    /// The key of `record` for `algorithm`. Refuses, as `permerror` reasons: a revoked key, a
    /// key type that does not match `a=`, a record that excludes SHA-256 or e-mail, an RSA key
    /// outside `minimumRSABits...maximumRSABits`, and any `p=` that is not a key of its type.
    init(record: DKIMKeyRecord, algorithm: DKIMAlgorithm, minimumRSABits: Int, maximumRSABits: Int) throws(DKIMSyntaxError) {
        guard !record.publicKey.isEmpty else { throw DKIMSyntaxError("key revoked (empty p=)") }
        guard record.keyType == algorithm.keyType else {
            throw DKIMSyntaxError("key type k=\(DKIMTagList.printable(record.keyType.utf8)) does not match a=\(algorithm)")
        }
        if let hashes = record.hashAlgorithms, !hashes.contains("sha256") {
            throw DKIMSyntaxError("key record h= excludes sha256")
        }
        guard record.serviceTypes.contains("*") || record.serviceTypes.contains("email") else {
            throw DKIMSyntaxError("key record s= excludes email")
        }
        switch algorithm {
        case .rsaSHA256:
            // PKCS#1 RSAPublicKey or SubjectPublicKeyInfo; swift-crypto refuses keys under 1024 bits.
            guard let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: record.publicKey) else {
                throw DKIMSyntaxError("p= is not an RSA public key (or one under 1024 bits)")
            }
            guard key.keySizeInBits >= minimumRSABits else {
                throw DKIMSyntaxError("\(key.keySizeInBits)-bit RSA key is below the \(minimumRSABits)-bit minimum")
            }
            guard key.keySizeInBits <= maximumRSABits else {
                throw DKIMSyntaxError("\(key.keySizeInBits)-bit RSA key is above the \(maximumRSABits)-bit maximum")
            }
            self = .rsa(key)
        case .ed25519SHA256:
            // RFC 8463 §4: the 32-octet public key itself, base64.
            guard record.publicKey.count == 32,
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: record.publicKey)
            else { throw DKIMSyntaxError("p= is not an Ed25519 public key") }
            self = .ed25519(key)
        }
    }

    /// The key size in bits.
    public var bits: Int {
        switch self {
        case .rsa(let key): key.keySizeInBits
        case .ed25519: 256
        }
    }

    /// Whether `signature` signs the header hash whose SHA-256 digest is `digest` (RFC 6376
    /// §3.3.2 for RSA, RFC 8463 §3 for Ed25519, which signs the 32-octet digest).
    func isValid(signature: [UInt8], digest: SHA256Digest) -> Bool {
        switch self {
        case .rsa(let key):
            return key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: Array(digest))
        }
    }
}
