/// A password scheme as named in Dovecot's `{SCHEME}` prefixes.
///
/// Names and formats follow the Dovecot "Password Schemes" documentation
/// (doc.dovecot.org, configuration_manual/authentication/password_schemes),
/// which in turn follows RFC 2307 §5.3 (`{CRYPT}` in `userPassword`) and
/// OpenLDAP's slappasswd(8) (`{SHA}`, `{SSHA}`).
public enum PasswordScheme: String, Sendable, CaseIterable {
    /// crypt(3) with whatever method the hash names (`$y$`, `$6$`, `$2b$`, DES…), RFC 2307.
    case crypt = "CRYPT"
    /// crypt(3) `$1$` (FreeBSD MD5).
    case md5Crypt = "MD5-CRYPT"
    /// crypt(3) `$5$` (Drepper SHA-256).
    case sha256Crypt = "SHA256-CRYPT"
    /// crypt(3) `$6$` (Drepper SHA-512).
    case sha512Crypt = "SHA512-CRYPT"
    /// crypt(3) `$2y$`/`$2b$`/`$2a$` (bcrypt).
    case blfCrypt = "BLF-CRYPT"
    /// Unsalted SHA-1: base64(digest). OpenLDAP `{SHA}`; Dovecot alias `{SHA1}`.
    case sha = "SHA"
    /// Salted SHA-1: base64(digest || salt). OpenLDAP `{SSHA}`.
    case ssha = "SSHA"
    /// Unsalted SHA-256: base64(digest).
    case sha256 = "SHA256"
    /// Salted SHA-256: base64(digest || salt).
    case ssha256 = "SSHA256"
    /// Unsalted SHA-512: base64(digest).
    case sha512 = "SHA512"
    /// Salted SHA-512: base64(digest || salt).
    case ssha512 = "SSHA512"
    /// The password itself.
    case plain = "PLAIN"
    /// Dovecot's alias of ``plain``.
    case cleartext = "CLEARTEXT"

    /// Looks a scheme up by its Dovecot name, case-insensitively, accepting
    /// Dovecot's aliases (`SHA1` for `SHA`). Encoding suffixes such as `.HEX`
    /// are not part of the name.
    public init?(name: String) {
        let upper = name.uppercased()
        if let scheme = PasswordScheme(rawValue: upper) {
            self = scheme
        } else if upper == "SHA1" {
            self = .sha
        } else {
            return nil
        }
    }

    /// Whether stored data is a crypt(3) string verified through libcrypt.
    public var isCrypt: Bool {
        switch self {
        case .crypt, .md5Crypt, .sha256Crypt, .sha512Crypt, .blfCrypt: true
        default: false
        }
    }

    /// Whether a random salt is part of the stored data.
    public var isSalted: Bool {
        switch self {
        case .plain, .cleartext, .sha, .sha256, .sha512: false
        default: true
        }
    }

    /// The digest of the SHA family schemes; nil for crypt and plain.
    var digest: DigestAlgorithm? {
        switch self {
        case .sha, .ssha: .sha1
        case .sha256, .ssha256: .sha256
        case .sha512, .ssha512: .sha512
        default: nil
        }
    }
}
