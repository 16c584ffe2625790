/// Makes new password hashes.
public enum PasswordHasher {
    /// The crypt(3) method for new hashes: yescrypt, libxcrypt's default and Debian's.
    public static let methodPrefix = "$y$"

    /// A new strong hash for `password`: yescrypt (`$y$`, libxcrypt's default and Debian's)
    /// stored as "{CRYPT}$y$…" — readable by Dovecot and OpenLDAP through crypt(3) (RFC 2307 `{CRYPT}`).
    ///
    /// Throws ``PasswordError/malformed(_:)`` for passwords crypt(3) cannot take
    /// (an embedded NUL, more than 511 bytes) and ``PasswordError/cryptFailed`` if libcrypt fails.
    public static func hash(_ password: String) throws(PasswordError) -> StoredPassword {
        guard !password.utf8.contains(0) else { throw .malformed("password contains a NUL byte") }
        guard password.utf8.count <= LibCrypt.maxPassphraseBytes else {
            throw .malformed("password longer than \(LibCrypt.maxPassphraseBytes) bytes")
        }
        guard let setting = LibCrypt.generateSetting(prefix: methodPrefix),
            let hashed = LibCrypt.crypt(password, setting: setting),
            hashed.hasPrefix(methodPrefix)
        else { throw .cryptFailed }
        return try StoredPassword("{\(PasswordScheme.crypt.rawValue)}\(hashed)")
    }
}
