/// A password as kept in the user database, in Dovecot's `{SCHEME}data`
/// format or as a bare crypt(3) string.
///
/// Accepted forms (Dovecot password schemes documentation, RFC 2307 §5.3, OpenLDAP slappasswd(8)):
/// - `{CRYPT}`, `{MD5-CRYPT}`, `{SHA256-CRYPT}`, `{SHA512-CRYPT}`, `{BLF-CRYPT}` followed by a
///   crypt(3) string, e.g. `doveadm pw`'s `{BLF-CRYPT}$2y$05$…` or slappasswd's `{CRYPT}$6$…`;
/// - bare crypt(3) strings as printed by mkpasswd(1): `$y$…`, `$6$…`, `$5$…`, `$2b$…`, `$1$…`;
/// - `{SHA}`, `{SHA256}`, `{SHA512}`: base64(digest), or hex when the length says so;
/// - `{SSHA}`, `{SSHA256}`, `{SSHA512}`: base64(digest || salt), salt of any length ≥ 1;
/// - `{PLAIN}`, `{CLEARTEXT}`: the password itself.
///
/// Scheme names are case-insensitive and take Dovecot's `.HEX`, `.B64`, `.BASE64` suffixes.
public struct StoredPassword: Sendable, Hashable {
    /// The text to store in the database, exactly as given.
    public let stored: String
    /// The scheme named by the `{SCHEME}` prefix, or implied by a bare crypt string's `$id$`.
    public let scheme: PasswordScheme
    let secret: PasswordSecret

    /// Parses `stored`; throws if the scheme is unknown or the data cannot belong to it.
    public init(_ stored: String) throws(PasswordError) {
        guard !stored.isEmpty else { throw .malformed("empty") }
        self.stored = stored
        if stored.hasPrefix("{") {
            guard let close = stored.firstIndex(of: "}") else {
                throw .malformed("{SCHEME} prefix is not closed")
            }
            let name = stored[stored.index(after: stored.startIndex)..<close]
            let data = stored[stored.index(after: close)...]
            (scheme, secret) = try Self.parse(name: name, data: data)
        } else if stored.hasPrefix("$") {
            scheme = Self.schemeOfBareCrypt(stored)
            secret = try PasswordSecret.crypt(stored[...])
        } else {
            throw .malformed("no {SCHEME} prefix and not a $id$ crypt(3) string")
        }
    }

    /// True for schemes that are cheap to brute-force or store the password
    /// readably: PLAIN/CLEARTEXT, unsalted SHA*, and crypt(3) with MD5 (`$1$`) or DES.
    public var isWeak: Bool {
        switch secret {
        case .plain: true
        case .digest(_, _, let salt): salt.isEmpty
        case .crypt(let hash): !Self.isStrongCrypt(hash)
        }
    }

    /// Whether `password` matches. Derived bytes are compared in constant time.
    public func verify(_ password: String) -> Bool {
        secret.verify(password)
    }

    private static func parse(name: Substring, data: Substring) throws(PasswordError) -> (PasswordScheme, PasswordSecret) {
        var schemeName = name
        var encoding: BinaryEncoding?
        if let dot = name.lastIndex(of: "."),
            let suffix = BinaryEncoding(suffix: String(name[name.index(after: dot)...]))
        {
            schemeName = name[..<dot]
            encoding = suffix
        }
        guard let scheme = PasswordScheme(name: String(schemeName)) else {
            throw .unknownScheme(String(name.prefix(64)))
        }
        if scheme.isCrypt {
            return (scheme, try .crypt(decodeText(data, encoding ?? .none)))
        }
        if let digest = scheme.digest {
            return (scheme, try .digest(digest, data: data, encoding: encoding, salted: scheme.isSalted))
        }
        let password = try decode(data, encoding ?? .none)
        guard !password.isEmpty else { throw .malformed("empty {\(scheme.rawValue)} password") }
        return (scheme, .plain(password))
    }

    static func decode(_ data: Substring, _ encoding: BinaryEncoding) throws(PasswordError) -> [UInt8] {
        guard let bytes = encoding.decode(data) else {
            throw .malformed(encoding == .hex ? "invalid hex" : "invalid base64")
        }
        return bytes
    }

    private static func decodeText(_ data: Substring, _ encoding: BinaryEncoding) throws(PasswordError) -> Substring {
        if encoding == .none { return data }
        guard let text = String(validating: try decode(data, encoding), as: UTF8.self) else {
            throw .malformed("encoded crypt(3) string is not text")
        }
        return text[...]
    }

    /// mkpasswd-style bare strings: `$6$`→SHA512-CRYPT, `$5$`→SHA256-CRYPT,
    /// `$2y$`/`$2b$`/`$2a$`→BLF-CRYPT, `$1$`→MD5-CRYPT, anything else (`$y$` yescrypt…)→CRYPT.
    private static func schemeOfBareCrypt(_ hash: String) -> PasswordScheme {
        if hash.hasPrefix("$6$") { return .sha512Crypt }
        if hash.hasPrefix("$5$") { return .sha256Crypt }
        if hash.hasPrefix("$2y$") || hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$") { return .blfCrypt }
        if hash.hasPrefix("$1$") { return .md5Crypt }
        return .crypt
    }

    /// crypt(3) methods that are salted and deliberately slow. Everything else
    /// (DES, BSDi `_`, `$1$` MD5, `$3$` NT, Sun MD5, the buggy `$2x$`) is weak.
    private static let strongCryptPrefixes = ["$y$", "$gy$", "$7$", "$2b$", "$2y$", "$2a$", "$6$", "$5$", "$sha1$"]

    private static func isStrongCrypt(_ hash: String) -> Bool {
        strongCryptPrefixes.contains { hash.hasPrefix($0) }
    }

    public static func == (lhs: StoredPassword, rhs: StoredPassword) -> Bool {
        lhs.stored == rhs.stored
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(stored)
    }
}

extension StoredPassword: CustomStringConvertible, CustomDebugStringConvertible {
    /// Names the scheme only, so logging a `StoredPassword` never leaks a hash or a plain password.
    public var description: String { "{\(scheme.rawValue)}…" }
    public var debugDescription: String { "StoredPassword({\(scheme.rawValue)}…)" }
}
