/// Why a stored password could not be parsed, or a new hash could not be made.
///
/// Messages never contain the password or the stored hash.
public enum PasswordError: Error, Equatable, CustomStringConvertible {
    /// The `{SCHEME}` prefix names a scheme Posta does not implement.
    case unknownScheme(String)
    /// The stored text does not have the shape its scheme requires.
    case malformed(String)
    /// libcrypt refused to produce a salt or a hash.
    case cryptFailed

    public var description: String {
        switch self {
        case .unknownScheme(let name): "unknown password scheme {\(name)}"
        case .malformed(let reason): "malformed stored password: \(reason)"
        case .cryptFailed: "crypt(3) failed to hash the password"
        }
    }
}
