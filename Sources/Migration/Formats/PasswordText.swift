/// A stored password as Dovecot and LDAP write it: `{SCHEME}data` (RFC 2307 §5.3 for `userPassword`;
/// Dovecot 2.3 "Password Schemes", doc.dovecot.org/2.3/configuration_manual/authentication/password_schemes).
///
/// The scheme and data are kept exactly as written: the import stores the hash, it never re-hashes. Whether a
/// scheme is one Posta verifies is the caller's question (Directory's `PasswordScheme(name:)`), asked through
/// ``unknownScheme(isKnown:)`` so that this module needs no Directory.
public struct PasswordText: Sendable, Hashable, CustomStringConvertible {
    /// The scheme as written, with any encoding suffix (`SHA256.HEX`).
    public var scheme: String
    public var data: String
    /// Whether the text had no `{SCHEME}` and ``scheme`` is the default the caller gave.
    public var schemeImplied: Bool

    public init(scheme: String, data: String, schemeImplied: Bool = false) {
        self.scheme = scheme
        self.data = data
        self.schemeImplied = schemeImplied
    }

    /// `{SCHEME}data` as written (an implied scheme is made explicit).
    public var description: String { "{\(scheme)}\(data)" }

    /// The scheme name without an encoding suffix (`.HEX`, `.B64`, `.BASE64`), for looking it up.
    public var schemeName: String {
        guard let dot = scheme.firstIndex(of: ".") else { return scheme }
        let suffix = scheme[scheme.index(after: dot)...].uppercased()
        return ["HEX", "B64", "BASE64"].contains(suffix) ? String(scheme[..<dot]) : scheme
    }

    /// Splits `{SCHEME}data`. Text without a scheme takes `defaultScheme` (Dovecot's `default_pass_scheme`,
    /// `CRYPT` unless configured; for LDAP, RFC 2307 values without a scheme are cleartext); `nil` when the
    /// text is empty or the braces are broken.
    public static func parse(_ text: String, defaultScheme: String) -> PasswordText? {
        guard !text.isEmpty else { return nil }
        guard text.hasPrefix("{") else { return PasswordText(scheme: defaultScheme, data: text, schemeImplied: true) }
        guard let close = text.firstIndex(of: "}") else { return nil }
        let scheme = text[text.index(after: text.startIndex)..<close]
        guard !scheme.isEmpty, scheme.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "{") }) else {
            return nil
        }
        return PasswordText(scheme: String(scheme), data: String(text[text.index(after: close)...]))
    }

    /// A problem when the caller does not know the scheme (the caller then skips the account or imports it
    /// without a password).
    public func unknownScheme(isKnown: (String) -> Bool) -> String? {
        isKnown(schemeName) ? nil : "password scheme {\(scheme)} is not supported"
    }
}
