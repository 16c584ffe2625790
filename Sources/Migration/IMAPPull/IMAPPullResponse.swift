/// A server response the pull understands (RFC 9051 §7); the rest are ``other``.
public enum IMAPPullResponse: Sendable, Hashable {
    /// `tag OK|NO|BAD [code] text` (RFC 9051 §7.1).
    case tagged(tag: String, status: String, code: String?, text: String)
    /// `* OK|NO|BAD|PREAUTH|BYE [code] text`.
    case untaggedStatus(status: String, code: String?, text: String)
    /// `* LIST (attributes) delimiter name` (RFC 9051 §7.3.1).
    case list(IMAPPullListEntry)
    /// `* n FETCH (items)` (RFC 9051 §7.5.2).
    case fetch(sequence: UInt32, IMAPPullFetch)
    /// `+ text`: the server waits for a literal (RFC 9051 §7.6).
    case continuation
    /// Any other untagged response, by its first word after `*` (and the number, if any): `EXISTS`, `FLAGS`, ….
    case other(String)
}

/// A mailbox of a LIST response.
public struct IMAPPullListEntry: Sendable, Hashable {
    /// Attributes as sent (`\Noselect`, `\HasChildren`, …).
    public var attributes: [String]
    /// The hierarchy delimiter, nil when the server has no hierarchy (NIL).
    public var delimiter: Character?
    /// The name as the server spells it (modified UTF-7 for 8-bit names on an IMAP4rev1 server, RFC 3501 §5.1.3).
    public var name: String

    public init(attributes: [String], delimiter: Character?, name: String) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
    }

    /// `\Noselect` or `\NonExistent` (RFC 9051 §7.3.1): nothing to EXAMINE.
    public var isSelectable: Bool {
        !attributes.contains { ["\\noselect", "\\nonexistent"].contains($0.lowercased()) }
    }
}

/// The data items of a FETCH response the pull asks for; absent items are nil.
public struct IMAPPullFetch: Sendable, Hashable {
    public var uid: UInt32?
    public var flags: [String]?
    /// INTERNALDATE as seconds since 1970.
    public var internalDate: Int64?
    public var size: UInt64?
    /// `BODY[]`: the whole message.
    public var body: [UInt8]?

    public init(
        uid: UInt32? = nil, flags: [String]? = nil, internalDate: Int64? = nil, size: UInt64? = nil, body: [UInt8]? = nil
    ) {
        self.uid = uid
        self.flags = flags
        self.internalDate = internalDate
        self.size = size
        self.body = body
    }
}
