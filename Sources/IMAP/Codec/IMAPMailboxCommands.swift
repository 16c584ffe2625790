/// SELECT/EXAMINE parameters (RFC 7162 §3.1.8 CONDSTORE, §3.2.5 QRESYNC).
public struct IMAPSelectParameters: Sendable, Hashable {
    public var condStore: Bool
    public var qresync: IMAPQResyncParameters?

    public init(condStore: Bool = false, qresync: IMAPQResyncParameters? = nil) {
        self.condStore = condStore
        self.qresync = qresync
    }
}

/// `QRESYNC (uidvalidity modseq [known-uids] [(known-sequence-set known-uid-set)])` (RFC 7162 §3.2.5).
public struct IMAPQResyncParameters: Sendable, Hashable {
    public var uidValidity: UInt32
    public var modSeq: UInt64
    public var knownUIDs: IMAPSequenceSet?
    /// The optional sequence match data: message numbers and the UIDs they correspond to.
    public var knownSequenceSet: IMAPSequenceSet?
    public var knownUIDSet: IMAPSequenceSet?

    public init(
        uidValidity: UInt32, modSeq: UInt64, knownUIDs: IMAPSequenceSet? = nil,
        knownSequenceSet: IMAPSequenceSet? = nil, knownUIDSet: IMAPSequenceSet? = nil
    ) {
        self.uidValidity = uidValidity
        self.modSeq = modSeq
        self.knownUIDs = knownUIDs
        self.knownSequenceSet = knownSequenceSet
        self.knownUIDSet = knownUIDSet
    }
}

/// A STATUS item (RFC 9051 §6.3.11, RFC 7162 HIGHESTMODSEQ, RFC 8438 SIZE, RFC 7889 APPENDLIMIT).
public enum IMAPStatusAttribute: String, Sendable, Hashable, CaseIterable {
    case messages = "MESSAGES"
    case recent = "RECENT"
    case uidNext = "UIDNEXT"
    case uidValidity = "UIDVALIDITY"
    case unseen = "UNSEEN"
    case deleted = "DELETED"
    case size = "SIZE"
    case highestModSeq = "HIGHESTMODSEQ"
    case appendLimit = "APPENDLIMIT"
}

/// `LIST` in its basic (RFC 9051 §6.3.9) or extended (RFC 5258) form.
public struct IMAPListCommand: Sendable, Hashable {
    public var reference: IMAPMailboxName
    /// One or more patterns (RFC 5258 allows a parenthesised list).
    public var patterns: [IMAPMailboxName]
    public var selectOptions: [IMAPListSelectOption]
    public var returnOptions: [IMAPListReturnOption]
    /// Whether selection options, several patterns or return options were given (RFC 5258 §3).
    public var isExtended: Bool

    public init(
        reference: IMAPMailboxName, patterns: [IMAPMailboxName], selectOptions: [IMAPListSelectOption] = [],
        returnOptions: [IMAPListReturnOption] = [], isExtended: Bool = false
    ) {
        self.reference = reference
        self.patterns = patterns
        self.selectOptions = selectOptions
        self.returnOptions = returnOptions
        self.isExtended = isExtended
    }
}

/// RFC 5258 §3.1 selection options; SPECIAL-USE from RFC 6154 §5.1.
public enum IMAPListSelectOption: Sendable, Hashable {
    case subscribed
    case remote
    case recursiveMatch
    case specialUse
}

/// RFC 5258 §3.2 return options; STATUS from RFC 5819, SPECIAL-USE from RFC 6154 §5.2.
public enum IMAPListReturnOption: Sendable, Hashable {
    case subscribed
    case children
    case specialUse
    case status([IMAPStatusAttribute])
}

/// One message of an APPEND (RFC 9051 §6.3.12, RFC 3502 MULTIAPPEND, RFC 3516 §4.4 literal8).
public struct IMAPAppendMessage: Sendable, Hashable {
    public var flags: [IMAPFlag]
    public var internalDate: IMAPDateTime?
    public var data: [UInt8]
    /// Sent as `~{n}` (literal8): the message may contain NUL and binary parts (RFC 3516).
    public var isBinary: Bool

    public init(flags: [IMAPFlag] = [], internalDate: IMAPDateTime? = nil, data: [UInt8], isBinary: Bool = false) {
        self.flags = flags
        self.internalDate = internalDate
        self.data = data
        self.isBinary = isBinary
    }
}

/// `[+|-]FLAGS[.SILENT] (flags)` of STORE (RFC 9051 §6.4.6).
public struct IMAPStoreAction: Sendable, Hashable {
    public enum Operation: Sendable, Hashable {
        case replace
        case add
        case remove
    }

    public var operation: Operation
    public var silent: Bool
    public var flags: [IMAPFlag]

    public init(_ operation: Operation, silent: Bool = false, flags: [IMAPFlag]) {
        self.operation = operation
        self.silent = silent
        self.flags = flags
    }
}
