import Core
import Crypto
import Foundation

/// Random bearer secrets (session cookies, CSRF tokens, API tokens) and the hashes stored for
/// them: only a SHA-256 is kept, so a copy of the database logs nobody in.
enum SecretToken {
    /// 32 random bytes, base64url without padding (RFC 4648 §5), with an optional prefix.
    static func make(prefix: String = "") -> String { RandomToken.make(prefix: prefix) }

    /// The hex SHA-256 of a token, as stored.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Longest token a client may present (anything longer is refused unhashed).
    static let maxLength = 200
}
