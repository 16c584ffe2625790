/// The decoded, verifiable part of a ``StoredPassword``.
enum PasswordSecret: Sendable, Hashable {
    /// A crypt(3) string, verified by re-hashing with it as the setting.
    case crypt(String)
    /// H(password || salt); `salt` is empty for the unsalted schemes.
    case digest(DigestAlgorithm, hash: [UInt8], salt: [UInt8])
    /// The password's UTF-8 bytes.
    case plain([UInt8])

    static func crypt(_ text: Substring) throws(PasswordError) -> PasswordSecret {
        guard !text.isEmpty else { throw .malformed("empty crypt(3) string") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("crypt(3) string has characters outside printable ASCII")
        }
        let hash = String(text)
        guard LibCrypt.isRecognised(hash) else {
            throw .malformed("crypt(3) method not recognised by libcrypt")
        }
        return .crypt(hash)
    }

    /// Decodes `{SHA…}`/`{SSHA…}` data. Without an explicit suffix the data is
    /// base64, except that unsalted data exactly twice the digest length is hex
    /// (Dovecot's rule). Salted data must carry at least one salt byte.
    static func digest(_ algorithm: DigestAlgorithm, data: Substring, encoding: BinaryEncoding?, salted: Bool)
        throws(PasswordError) -> PasswordSecret
    {
        let chosen: BinaryEncoding
        if let encoding {
            chosen = encoding
        } else if !salted, data.utf8.count == algorithm.length * 2, BinaryEncoding.decodeHex(data.utf8) != nil {
            chosen = .hex
        } else {
            chosen = .base64
        }
        let bytes = try StoredPassword.decode(data, chosen)
        if salted {
            guard bytes.count > algorithm.length else {
                throw .malformed("salted digest has no salt (\(bytes.count) bytes, digest alone is \(algorithm.length))")
            }
        } else {
            guard bytes.count == algorithm.length else {
                throw .malformed("digest is \(bytes.count) bytes, expected \(algorithm.length)")
            }
        }
        return .digest(algorithm, hash: Array(bytes.prefix(algorithm.length)), salt: Array(bytes.dropFirst(algorithm.length)))
    }

    func verify(_ password: String) -> Bool {
        switch self {
        case .crypt(let hash):
            guard let computed = LibCrypt.crypt(password, setting: hash) else { return false }
            return ConstantTime.equal(Array(computed.utf8), Array(hash.utf8))
        case .digest(let algorithm, let hash, let salt):
            return ConstantTime.equal(algorithm.hash(Array(password.utf8), salt: salt), hash)
        case .plain(let expected):
            return ConstantTime.equal(Array(password.utf8), expected)
        }
    }
}
