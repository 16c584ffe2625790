/// Why a filter string (RFC 4515) or filter template was refused.
public enum LDAPFilterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Longer than `LDAPFilter.maximumLength` bytes.
    case tooLong(Int)
    /// Nested deeper than `LDAPFilter.maximumDepth` levels.
    case tooDeep
    /// An `&` or `|` with more than `LDAPFilter.maximumItems` filters.
    case tooManyItems
    /// Not RFC 4515 syntax; `offset` counts UTF-8 bytes from the start.
    case syntax(offset: Int, reason: String)

    public var description: String {
        switch self {
        case .tooLong(let length): "LDAP filter of \(length) bytes (limit \(LDAPFilter.maximumLength))"
        case .tooDeep: "LDAP filter nested deeper than \(LDAPFilter.maximumDepth) levels"
        case .tooManyItems: "LDAP filter list of more than \(LDAPFilter.maximumItems) filters"
        case .syntax(let offset, let reason): "LDAP filter syntax error at byte \(offset): \(reason)"
        }
    }
}

extension LDAPFilter {
    /// Bounds on parsed filters, so a configured filter cannot exhaust the stack or the server.
    public static let maximumLength = 4096
    public static let maximumDepth = 64
    public static let maximumItems = 256

    /// Parses the RFC 4515 string form, e.g. `(&(objectClass=person)(cn=J*n\2a))`.
    public init(parsing text: String) throws(LDAPFilterError) {
        self = try FilterParser.parse(text, placeholders: false).filter(.init(s: [], u: [], d: []))
    }
}
