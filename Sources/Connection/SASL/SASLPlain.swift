/// The PLAIN mechanism's message (RFC 4616 §2), read by one set of rules for every protocol:
/// `message = [authzid] UTF8NUL authcid UTF8NUL passwd`.
public struct SASLPlain: Sendable, Hashable {
    /// The identity the client asks to act as; nil when it sent none (act as itself).
    public var authorizationID: String?
    public var authenticationID: String
    public var password: String

    /// Why a message was refused. Each protocol maps these to its own replies.
    public enum Failure: Error, Sendable, Hashable {
        /// Not three NUL-separated parts, or a part is not UTF-8 (RFC 4616 §2). Like the others,
        /// a failed authentication in every protocol (only undecodable base64 is a syntax error).
        case malformed
        /// An empty authcid or password: never valid credentials.
        case emptyCredentials
        /// An authzid other than the authcid: this server does not let one user act as another
        /// (RFC 4616 §2 lets the server refuse it). Compared case-insensitively, as logins are.
        case authorizationNotPermitted
    }

    public init(authorizationID: String?, authenticationID: String, password: String) {
        self.authorizationID = authorizationID
        self.authenticationID = authenticationID
        self.password = password
    }

    /// Reads a decoded PLAIN message.
    public static func parse(_ message: [UInt8]) -> Result<SASLPlain, Failure> {
        let parts = message.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3, let authzid = String(validating: parts[0], as: UTF8.self),
            let authcid = String(validating: parts[1], as: UTF8.self),
            let password = String(validating: parts[2], as: UTF8.self)
        else { return .failure(.malformed) }
        guard !authcid.isEmpty, !password.isEmpty else { return .failure(.emptyCredentials) }
        guard authzid.isEmpty || authzid.lowercased() == authcid.lowercased() else {
            return .failure(.authorizationNotPermitted)
        }
        return .success(
            SASLPlain(authorizationID: authzid.isEmpty ? nil : authzid, authenticationID: authcid, password: password))
    }

    /// The message a client sends for `user` and `password`, without an authzid.
    public static func message(user: String, password: String) -> [UInt8] {
        [0] + Array(user.utf8) + [0] + Array(password.utf8)
    }
}
