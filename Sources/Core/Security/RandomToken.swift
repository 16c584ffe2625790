import Foundation

/// Random secrets for URLs, cookies and addresses: `bytes` random bytes from the system's
/// generator, base64url without padding (RFC 4648 §5), so they fit a URL path or a local part.
public enum RandomToken {
    public static func make(bytes: Int = 32, prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix
            + Data(random).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
