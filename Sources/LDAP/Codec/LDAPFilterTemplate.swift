/// A configured filter with placeholders in its assertion values (the Dovecot/Postfix
/// convention): `%s` the whole login or address, `%u` its local part (before the last `@`, or
/// all of it), `%d` its domain (after the last `@`, empty without one), `%%` a literal `%`.
///
/// The template is parsed once (RFC 4515 syntax); `filter(_:)` puts the values into the parsed
/// tree as raw bytes and never re-parses, so no login can change the filter's structure
/// (`*`, `(`, `)`, `\` and NUL in a login are just bytes of a value).
public struct LDAPFilterTemplate: Sendable, Hashable, CustomStringConvertible {
    /// What the placeholders stand for.
    public struct Values: Sendable, Hashable {
        public var s: [UInt8]
        public var u: [UInt8]
        public var d: [UInt8]

        public init(s: [UInt8], u: [UInt8], d: [UInt8]) {
            self.s = s
            self.u = u
            self.d = d
        }

        /// Splits `login` at its last `@`: `u` before, `d` after (empty when there is none).
        public init(login: [UInt8]) {
            s = login
            if let at = login.lastIndex(of: UInt8(ascii: "@")) {
                u = Array(login[..<at])
                d = Array(login[(at + 1)...])
            } else {
                u = login
                d = []
            }
        }
    }

    private let root: FilterTemplateNode
    /// The template as written.
    public let description: String

    /// Parses `text`; placeholders are allowed in assertion values only (not in attribute names).
    public init(parsing text: String) throws(LDAPFilterError) {
        root = try FilterParser.parse(text, placeholders: true)
        description = text
    }

    /// The filter with the placeholders replaced by `values`.
    public func filter(_ values: Values) -> LDAPFilter {
        root.filter(values)
    }
}
