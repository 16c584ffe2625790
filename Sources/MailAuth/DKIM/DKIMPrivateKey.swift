import Crypto
import Foundation
import _CryptoExtras

/// A signing key: RSA (RFC 6376 §3.3.1) or Ed25519 (RFC 8463).
public enum DKIMPrivateKey: Sendable {
    case rsa(_RSA.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    /// Why a key could not be made or read.
    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// RSA key sizes `generate` accepts: 1024 is RFC 8301's floor, 2048 its recommendation.
    public static let rsaBits: ClosedRange<Int> = 1024...4096

    /// A new random key. `bits` is for RSA only, a multiple of 8 in `rsaBits`.
    public static func generate(_ algorithm: DKIMAlgorithm, bits: Int = 2048) throws(Invalid) -> DKIMPrivateKey {
        switch algorithm {
        case .ed25519SHA256:
            return .ed25519(Curve25519.Signing.PrivateKey())
        case .rsaSHA256:
            guard rsaBits.contains(bits), bits % 8 == 0 else {
                throw Invalid("RSA keys have \(rsaBits.lowerBound) to \(rsaBits.upperBound) bits, a multiple of 8")
            }
            do {
                return .rsa(try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: bits)))
            } catch {
                throw Invalid("RSA key generation failed: \(error)")
            }
        }
    }

    /// Reads a key in PEM: RSA as PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`), Ed25519
    /// as PKCS#8; also a bare base64 32-octet Ed25519 seed, the form dkimpy writes.
    public init(pem text: String) throws(Invalid) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.hasPrefix("-----BEGIN") {
            guard let seed = Data(base64Encoded: trimmed), seed.count == 32,
                let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
            else { throw Invalid("not a PEM private key nor a base64 Ed25519 seed") }
            self = .ed25519(key)
            return
        }
        if trimmed.hasPrefix("-----BEGIN PRIVATE KEY-----"),
            let key = try? Curve25519.Signing.PrivateKey(pemRepresentation: trimmed)
        {
            self = .ed25519(key)
            return
        }
        guard let key = try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: trimmed) else {
            throw Invalid("not an RSA (1024 bits or more) or Ed25519 private key")
        }
        self = .rsa(key)
    }

    public var algorithm: DKIMAlgorithm {
        switch self {
        case .rsa: .rsaSHA256
        case .ed25519: .ed25519SHA256
        }
    }

    /// The key size in bits (256 for Ed25519).
    public var bits: Int {
        switch self {
        case .rsa(let key): key.keySizeInBits
        case .ed25519: 256
        }
    }

    /// The key as PKCS#8 PEM, the form the key store keeps.
    public var pemRepresentation: String {
        switch self {
        case .rsa(let key): key.pkcs8PEMRepresentation
        case .ed25519(let key): key.pemRepresentation
        }
    }

    /// The `p=` value (RFC 6376 §3.6.1): for RSA the SubjectPublicKeyInfo DER that `openssl rsa
    /// -pubout` writes and every verifier reads, for Ed25519 the 32-octet key (RFC 8463 §4).
    public var publicKeyBase64: String {
        switch self {
        case .rsa(let key): key.publicKey.derRepresentation.base64EncodedString()
        case .ed25519(let key): key.publicKey.rawRepresentation.base64EncodedString()
        }
    }

    /// The TXT record text to publish at `selector._domainkey.domain`.
    public var keyRecord: String { "v=DKIM1; k=\(algorithm.keyType); p=\(publicKeyBase64)" }

    /// Signs the SHA-256 digest of the header hash input (RFC 6376 §3.7, RFC 8463 §3).
    func sign(digest: SHA256Digest) throws(Invalid) -> [UInt8] {
        do {
            switch self {
            case .rsa(let key):
                return Array(try key.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
            case .ed25519(let key):
                return Array(try key.signature(for: Array(digest)))
            }
        } catch {
            throw Invalid("signing failed: \(error)")
        }
    }
}
