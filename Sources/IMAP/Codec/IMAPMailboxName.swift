/// A mailbox name as sent on the wire (RFC 9051 §5.1): modified UTF-7 from IMAP4rev1 clients, UTF-8
/// after `ENABLE UTF8=ACCEPT` or IMAP4rev2 (RFC 6855 §3). List patterns (`%`, `*`) use the same type.
public struct IMAPMailboxName: Sendable, Hashable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// Whether this is `INBOX` in any case (RFC 9051 §5.1: `INBOX` is case-insensitive).
    public var isInbox: Bool {
        bytes.count == 5 && zip(bytes, "INBOX".utf8).allSatisfy { ($0 & 0xDF) == $1 }
    }

    /// The name as text: modified UTF-7 decoded (`nil` if invalid), or, when `utf8` is true, the bytes as
    /// UTF-8 (`nil` if invalid). `INBOX` in any case comes back as `INBOX`.
    public func decoded(utf8: Bool) -> String? {
        if isInbox { return "INBOX" }
        if utf8 { return String(validating: bytes, as: UTF8.self) }
        return ModifiedUTF7.decode(bytes)
    }
}
