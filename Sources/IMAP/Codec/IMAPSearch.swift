/// `SEARCH [RETURN (...)] [CHARSET c] keys` (RFC 9051 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SEARCHRES).
public struct IMAPSearchCommand: Sendable, Hashable {
    /// `nil` without RETURN (answer with `* SEARCH`); otherwise the options, where an empty list means
    /// `ALL` (RFC 4731 §3.1). An ESEARCH reply is due whenever this is not nil.
    public var returnOptions: [IMAPSearchReturnOption]?
    /// Upper-cased charset name, if given.
    public var charset: String?
    /// The criteria; several top-level keys are combined into one `.and`.
    public var key: IMAPSearchKey

    public init(returnOptions: [IMAPSearchReturnOption]? = nil, charset: String? = nil, key: IMAPSearchKey) {
        self.returnOptions = returnOptions
        self.charset = charset
        self.key = key
    }
}

/// RFC 4731 §3.1 and RFC 5182 §2.
public enum IMAPSearchReturnOption: String, Sendable, Hashable {
    case min = "MIN"
    case max = "MAX"
    case all = "ALL"
    case count = "COUNT"
    case save = "SAVE"
}

/// One search criterion (RFC 9051 §6.4.4; MODSEQ from RFC 7162 §3.1.5). String arguments are raw
/// bytes in the command's charset.
public indirect enum IMAPSearchKey: Sendable, Hashable {
    case all
    case answered
    case deleted
    case draft
    case flagged
    case new
    case old
    case recent
    case seen
    case unanswered
    case undeleted
    case undraft
    case unflagged
    case unseen
    case keyword(IMAPFlag)
    case unkeyword(IMAPFlag)
    case bcc([UInt8])
    case body([UInt8])
    case cc([UInt8])
    case from([UInt8])
    case subject([UInt8])
    case text([UInt8])
    case to([UInt8])
    /// `HEADER field-name string`.
    case header(String, [UInt8])
    case before(IMAPDate)
    case on(IMAPDate)
    case since(IMAPDate)
    case sentBefore(IMAPDate)
    case sentOn(IMAPDate)
    case sentSince(IMAPDate)
    case larger(UInt64)
    case smaller(UInt64)
    case uid(IMAPSequenceSet)
    case sequenceSet(IMAPSequenceSet)
    case modSeq(IMAPSearchModSeq)
    case not(IMAPSearchKey)
    case or(IMAPSearchKey, IMAPSearchKey)
    /// A parenthesised list, or several keys in a row: all must match.
    case and([IMAPSearchKey])
}

/// `MODSEQ ["/flags/\Seen" all] 620162338` (RFC 7162 §3.1.5).
public struct IMAPSearchModSeq: Sendable, Hashable {
    public enum EntryType: String, Sendable, Hashable {
        case priv
        case shared
        case all
    }

    /// The flag of the entry name `"/flags/<flag>"`, if given, and its entry type.
    public var entryFlag: IMAPFlag?
    public var entryType: EntryType?
    public var modSeq: UInt64

    public init(modSeq: UInt64, entryFlag: IMAPFlag? = nil, entryType: EntryType? = nil) {
        self.modSeq = modSeq
        self.entryFlag = entryFlag
        self.entryType = entryType
    }
}
