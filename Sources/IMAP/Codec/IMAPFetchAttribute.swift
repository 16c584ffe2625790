import MIME

/// A FETCH data item (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 MODSEQ). The macros ALL, FAST and FULL
/// are expanded by the parser.
public enum IMAPFetchAttribute: Sendable, Hashable {
    case envelope
    case flags
    case internalDate
    case uid
    case rfc822
    case rfc822Header
    case rfc822Size
    case rfc822Text
    /// `BODY`: the non-extensible BODYSTRUCTURE.
    case body
    case bodyStructure
    case modSeq
    /// `BODY[section]<partial>` or `BODY.PEEK[...]` (peek: do not set `\Seen`).
    case bodySection(IMAPSection, partial: IMAPPartial?, peek: Bool)
    /// `BINARY[part]<partial>` or `BINARY.PEEK[...]` (RFC 3516 §4.2).
    case binary(part: [UInt32], partial: IMAPPartial?, peek: Bool)
    /// `BINARY.SIZE[part]`.
    case binarySize(part: [UInt32])

    /// `ALL`: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE (RFC 9051 §6.4.5).
    public static let allMacro: [IMAPFetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope]
    /// `FAST`: FLAGS INTERNALDATE RFC822.SIZE.
    public static let fastMacro: [IMAPFetchAttribute] = [.flags, .internalDate, .rfc822Size]
    /// `FULL`: FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY.
    public static let fullMacro: [IMAPFetchAttribute] = [.flags, .internalDate, .rfc822Size, .envelope, .body]
}

/// `<origin.length>` of a partial fetch (RFC 9051 §6.4.5).
public struct IMAPPartial: Sendable, Hashable {
    public var offset: UInt64
    public var length: UInt64

    public init(offset: UInt64, length: UInt64) {
        self.offset = offset
        self.length = length
    }
}

/// A body section (RFC 3501 §6.4.5): part numbers, then an optional text specifier; the MIME module's
/// type, which also finds the bytes. `[]` is `IMAPSection()`; `[1.2.MIME]` is `IMAPSection(part: [1, 2], text: .mime)`.
public typealias IMAPSection = MessageSection

/// FETCH modifiers (RFC 7162 §3.1.4 CHANGEDSINCE, §3.2.6 VANISHED).
public struct IMAPFetchModifiers: Sendable, Hashable {
    public var changedSince: UInt64?
    /// Only valid with UID FETCH and CHANGEDSINCE; the session checks.
    public var vanished: Bool

    public init(changedSince: UInt64? = nil, vanished: Bool = false) {
        self.changedSince = changedSince
        self.vanished = vanished
    }
}
