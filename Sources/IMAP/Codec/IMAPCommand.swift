/// One client command (RFC 9051 §6, RFC 3501 §6 and the extensions the server offers).
public struct IMAPCommand: Sendable, Hashable {
    /// The tag, echoed in the tagged reply.
    public var tag: String
    public var kind: IMAPCommandKind

    public init(tag: String, kind: IMAPCommandKind) {
        self.tag = tag
        self.kind = kind
    }
}

/// What a command asks for. Strings that may carry any octets (user names, passwords, search text,
/// quota roots) are raw bytes; the session decides how to interpret them.
public enum IMAPCommandKind: Sendable, Hashable {
    // Any state (RFC 9051 §6.1).
    case capability
    case noop
    case logout
    // Not authenticated (RFC 9051 §6.2).
    case startTLS
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 4959 SASL-IR): the response is the BASE64
    /// text as sent, `"="` standing for an empty one.
    case authenticate(mechanism: String, initialResponse: String?)
    case login(userID: [UInt8], password: [UInt8])
    // Authenticated (RFC 9051 §6.3).
    /// `ENABLE cap...` (RFC 5161); capability names upper-cased.
    case enable([String])
    case select(IMAPMailboxName, IMAPSelectParameters)
    case examine(IMAPMailboxName, IMAPSelectParameters)
    /// `CREATE name [(USE (\Drafts ...))]` (RFC 6154 §3); attributes as written, with backslash.
    case create(IMAPMailboxName, specialUse: [String])
    case delete(IMAPMailboxName)
    case rename(from: IMAPMailboxName, to: IMAPMailboxName)
    case subscribe(IMAPMailboxName)
    case unsubscribe(IMAPMailboxName)
    case list(IMAPListCommand)
    case lsub(reference: IMAPMailboxName, pattern: IMAPMailboxName)
    /// RFC 2342.
    case namespace
    case status(IMAPMailboxName, [IMAPStatusAttribute])
    /// One or more messages (RFC 3502 MULTIAPPEND).
    case append(IMAPMailboxName, [IMAPAppendMessage])
    /// RFC 2177; the adapter then reads `DONE` in line mode.
    case idle
    /// `ID nil` is `.id(nil)` (RFC 2971 §3.1).
    case id([IMAPIDField]?)
    // Selected (RFC 9051 §6.4).
    case check
    case close
    /// RFC 3691.
    case unselect
    case expunge
    /// `UID EXPUNGE set` (RFC 4315 §2.1).
    case uidExpunge(IMAPSequenceSet)
    case search(IMAPSearchCommand, uid: Bool)
    /// For `UID FETCH` the attributes always include `.uid` (RFC 9051 §6.4.9: UID is implied).
    case fetch(IMAPSequenceSet, [IMAPFetchAttribute], IMAPFetchModifiers, uid: Bool)
    case store(IMAPSequenceSet, IMAPStoreAction, unchangedSince: UInt64?, uid: Bool)
    case copy(IMAPSequenceSet, IMAPMailboxName, uid: Bool)
    /// RFC 6851.
    case move(IMAPSequenceSet, IMAPMailboxName, uid: Bool)
    // QUOTA (RFC 9208 §4).
    case getQuota(root: [UInt8])
    case getQuotaRoot(IMAPMailboxName)
    case setQuota(root: [UInt8], [IMAPQuotaLimit])
    /// A command name the codec does not know, upper-cased; the session answers `BAD`.
    case unknown(String)
}

/// One `string SP nstring` pair of an ID command or response (RFC 2971 §3.3).
public struct IMAPIDField: Sendable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]?

    public init(key: [UInt8], value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    public init(_ key: String, _ value: String?) {
        self.init(key: Array(key.utf8), value: value.map { Array($0.utf8) })
    }
}

/// A `resource-name SP resource-limit` of SETQUOTA or a QUOTA response (RFC 9208 §5), e.g. `STORAGE 512`.
public struct IMAPQuotaLimit: Sendable, Hashable {
    /// Upper-cased resource name (`STORAGE` in KiB, `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE`).
    public var resource: String
    public var limit: UInt64

    public init(resource: String, limit: UInt64) {
        self.resource = resource
        self.limit = limit
    }
}
