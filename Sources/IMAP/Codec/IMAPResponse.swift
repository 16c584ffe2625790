/// One server response (RFC 9051 §7), encoded by ``IMAPResponseEncoder``. Mailbox names are given as
/// text; the encoder applies modified UTF-7 unless UTF8=ACCEPT is on.
public enum IMAPResponse: Sendable, Hashable {
    /// `tag OK/NO/BAD [code] text`.
    case tagged(tag: String, IMAPStatusResponse)
    /// `* OK/NO/BAD/PREAUTH/BYE [code] text`.
    case untagged(IMAPStatusResponse)
    /// `+ text` (or BASE64 challenge data) (RFC 9051 §7.5).
    case continuation(String)
    /// An untagged data response.
    case data(IMAPResponseData)
}

public struct IMAPStatusResponse: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        case ok = "OK"
        case no = "NO"
        case bad = "BAD"
        /// Untagged only.
        case preauth = "PREAUTH"
        /// Untagged only.
        case bye = "BYE"
    }

    public var status: Status
    public var code: IMAPResponseCode?
    /// Human-readable text; CR and LF are replaced by spaces when encoded.
    public var text: String

    public init(_ status: Status, code: IMAPResponseCode? = nil, _ text: String) {
        self.status = status
        self.code = code
        self.text = text
    }
}

/// Untagged data (RFC 9051 §7.2-7.4 and the extensions).
public enum IMAPResponseData: Sendable, Hashable {
    case capability([String])
    /// RFC 5161 §3.2.
    case enabled([String])
    case list(IMAPListItem)
    case lsub(IMAPListItem)
    case status(mailbox: String, [IMAPStatusValue])
    /// `* SEARCH 2 3 6`, with `(MODSEQ n)` under CONDSTORE (RFC 7162 §3.1.5).
    case search([UInt32], modSeq: UInt64? = nil)
    /// RFC 4731 §3.1.
    case esearch(IMAPESearchResponse)
    case flags([IMAPFlag])
    case exists(UInt32)
    case recent(UInt32)
    case expunge(UInt32)
    /// `* VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10).
    case vanished(IMAPSequenceSet, earlier: Bool)
    case fetch(UInt32, [IMAPFetchValue])
    /// `* NAMESPACE personal other shared` (RFC 2342 §5); nil stands for NIL.
    case namespace(personal: [IMAPNamespace]?, otherUsers: [IMAPNamespace]?, shared: [IMAPNamespace]?)
    /// RFC 2971 §3.2; nil stands for `ID NIL`.
    case id([IMAPIDField]?)
    /// `* QUOTA root (resource usage limit ...)` (RFC 9208 §5.1).
    case quota(root: String, [IMAPQuotaUsage])
    /// `* QUOTAROOT mailbox root...` (RFC 9208 §5.2).
    case quotaRoot(mailbox: String, roots: [String])
}

/// One LIST/LSUB reply (RFC 9051 §7.3.1, RFC 5258 §3.5 extended data).
public struct IMAPListItem: Sendable, Hashable {
    /// Attributes with their backslash, e.g. `\HasNoChildren`, `\Subscribed`, `\Drafts`.
    public var attributes: [String]
    /// The hierarchy delimiter, nil for a flat name space (NIL).
    public var delimiter: Character?
    public var name: String
    /// `CHILDINFO` values (RFC 5258 §4), e.g. `["SUBSCRIBED"]`; empty for none.
    public var childInfo: [String]
    /// `OLDNAME` after a rename (RFC 9051 §7.3.1).
    public var oldName: String?

    public init(
        attributes: [String], delimiter: Character?, name: String, childInfo: [String] = [], oldName: String? = nil
    ) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
        self.childInfo = childInfo
        self.oldName = oldName
    }
}

/// One `status-att-val` of a STATUS reply.
public struct IMAPStatusValue: Sendable, Hashable {
    public var attribute: IMAPStatusAttribute
    /// For APPENDLIMIT, nil is written NIL (no limit, RFC 7889 §4).
    public var value: UInt64?

    public init(_ attribute: IMAPStatusAttribute, _ value: UInt64?) {
        self.attribute = attribute
        self.value = value
    }
}

/// `* ESEARCH [(TAG "t")] [UID] [MIN n] [MAX n] [ALL set] [COUNT n] [MODSEQ n]` (RFC 4731 §3.1, RFC 7162 §3.1.5).
public struct IMAPESearchResponse: Sendable, Hashable {
    public var tag: String?
    public var uid: Bool
    public var min: UInt32?
    public var max: UInt32?
    /// Omitted when there are no matches.
    public var all: IMAPSequenceSet?
    public var count: UInt32?
    public var modSeq: UInt64?

    public init(
        tag: String?, uid: Bool, min: UInt32? = nil, max: UInt32? = nil, all: IMAPSequenceSet? = nil,
        count: UInt32? = nil, modSeq: UInt64? = nil
    ) {
        self.tag = tag
        self.uid = uid
        self.min = min
        self.max = max
        self.all = all
        self.count = count
        self.modSeq = modSeq
    }
}

/// One namespace of a NAMESPACE reply (RFC 2342 §5).
public struct IMAPNamespace: Sendable, Hashable {
    public var prefix: String
    public var delimiter: Character?

    public init(prefix: String, delimiter: Character?) {
        self.prefix = prefix
        self.delimiter = delimiter
    }
}

/// `resource usage limit` of a QUOTA reply (RFC 9208 §5.1).
public struct IMAPQuotaUsage: Sendable, Hashable {
    public var resource: String
    public var usage: UInt64
    public var limit: UInt64

    public init(resource: String, usage: UInt64, limit: UInt64) {
        self.resource = resource
        self.usage = usage
        self.limit = limit
    }
}
