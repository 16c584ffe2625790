import Crypto

/// The digests behind `{SHA}`/`{SSHA}` and their SHA-2 siblings.
enum DigestAlgorithm: Sendable, Hashable {
    case sha1, sha256, sha512

    /// Digest size in bytes.
    var length: Int {
        switch self {
        case .sha1: Insecure.SHA1.byteCount
        case .sha256: SHA256.byteCount
        case .sha512: SHA512.byteCount
        }
    }

    /// H(password || salt), the construction used by OpenLDAP and Dovecot.
    func hash(_ password: [UInt8], salt: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: Self.run(Insecure.SHA1(), password, salt)
        case .sha256: Self.run(SHA256(), password, salt)
        case .sha512: Self.run(SHA512(), password, salt)
        }
    }

    private static func run<H: HashFunction>(_ function: H, _ password: [UInt8], _ salt: [UInt8]) -> [UInt8] {
        var function = function
        password.withUnsafeBytes { function.update(bufferPointer: $0) }
        salt.withUnsafeBytes { function.update(bufferPointer: $0) }
        return Array(function.finalize())
    }
}
