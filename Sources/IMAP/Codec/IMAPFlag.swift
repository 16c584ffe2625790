/// A message flag: a system flag (`\Seen`) or a keyword (`$Forwarded`) (RFC 9051 §2.3.2).
/// Kept as written; flags compare case-insensitively, use `==` on ``normalized`` for that.
public struct IMAPFlag: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let answered = IMAPFlag("\\Answered")
    public static let flagged = IMAPFlag("\\Flagged")
    public static let deleted = IMAPFlag("\\Deleted")
    public static let seen = IMAPFlag("\\Seen")
    public static let draft = IMAPFlag("\\Draft")
    /// Only in FLAGS/FETCH responses of IMAP4rev1 sessions.
    public static let recent = IMAPFlag("\\Recent")
    /// `\*` in PERMANENTFLAGS: clients may create keywords (RFC 9051 §7.1).
    public static let wildcard = IMAPFlag("\\*")

    /// Whether the flag starts with a backslash.
    public var isSystem: Bool { rawValue.utf8.first == UInt8(ascii: "\\") }

    /// Upper-cased, for case-insensitive comparison.
    public var normalized: String { rawValue.uppercased() }

    public var description: String { rawValue }
}
