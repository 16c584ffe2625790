import Core

/// What the adapter must do, in order, after feeding the session an input.
public enum IMAPAction: Sendable, Equatable {
    /// Write these bytes (responses, already encoded).
    case send([UInt8])
    /// Frame the next line as `IMAPInput.line` (AUTHENTICATE data, IDLE's `DONE`); comes before the
    /// continuation request that asks for it.
    case expectLine
    /// The client logged in: drop the login deadline and accept literals up to the APPEND limit.
    case authenticated(IMAPAccount)
    /// IDLE began (RFC 2177): deliver `mailboxChanged()` whenever this mailbox changes.
    case watch(mailboxID: Int64)
    /// IDLE ended: stop delivering changes.
    case unwatch
    /// The tagged OK to STARTTLS was sent: drop input read so far, start TLS, then call
    /// `tlsEstablished()` (RFC 9051 §6.2.1; RFC 2595 §3.1: pipelined plaintext is never executed).
    case startTLS
    /// Perform this and call `resume(_:)` with its result. Always the last action of a batch; input
    /// arriving meanwhile waits (the adapter pauses reads; the session queues what still comes).
    case effect(IMAPEffect)
    /// Close the connection after flushing what came before.
    case close
}

/// The account a login opened.
public struct IMAPAccount: Sendable, Hashable {
    public var id: Int64
    public var address: String

    public init(id: Int64, address: String) {
        self.id = id
        self.address = address
    }
}

/// How much of a message's file a command needs.
public enum IMAPContentNeed: Int, Sendable, Hashable, Comparable {
    /// Index data only: UID, size, internal date.
    case none
    /// The top-level header, up to the empty line that ends it.
    case header
    /// The whole file.
    case full

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Store and directory work the session cannot do itself (see `IMAPMailboxStore` for each one's meaning).
public enum IMAPEffect: Sendable, Equatable {
    /// Check the credentials (throttled and recorded). Answer `.login`.
    case login(user: String, password: String, mechanism: String)
    /// A mailbox by name with every message's UID, flags and modseq (SELECT, EXAMINE). Answer `.snapshot`.
    case snapshot(accountID: Int64, name: String)
    /// Changes since a modseq. Answer `.changes`.
    case changes(mailboxID: Int64, since: Int64)
    /// Claim unclaimed `\Recent` messages below `upTo` (RFC 3501 §2.3.2). Answer `.claimedRecent`.
    case claimRecent(mailboxID: Int64, upTo: UInt32)
    /// Index rows of `uids` and, as `content` says, file bytes; stops after `byteBudget` bytes of
    /// content (at least one message), so big FETCHes go in bounded batches. Answer `.messages`.
    case loadMessages(mailboxID: Int64, uids: [UInt32], content: IMAPContentNeed, byteBudget: Int)
    /// Evaluate a SEARCH key against the content of messages (off the event loop). Answer `.searched`.
    case searchContent(IMAPContentSearch)
    /// The account's mailboxes, and optionally subscriptions and, per mailbox, `\Deleted` count and
    /// size (LIST, LSUB, STATUS, SELECT under IMAP4rev2). Answer `.mailboxList`.
    case mailboxList(accountID: Int64, subscriptions: Bool, totals: Bool)
    /// One mailbox by name, with its `\Deleted` count and size when `totals` (STATUS). Answer `.status`.
    case status(accountID: Int64, name: String, totals: Bool)
    case storeFlags(mailboxID: Int64, uids: [UInt32], operation: FlagOperation, flags: [String], unchangedSince: Int64?)
    /// COPY or MOVE to a mailbox by name. Answer `.copied` (nil: no such mailbox).
    case copy(accountID: Int64, mailboxID: Int64, uids: [UInt32], to: String, move: Bool)
    /// Remove messages (only those flagged `\Deleted` when `onlyDeleted`). Answer `.expunged`.
    case expunge(mailboxID: Int64, uids: [UInt32], onlyDeleted: Bool)
    /// APPEND, all messages or none. Answer `.appended` (nil: no such mailbox).
    case append(accountID: Int64, mailbox: String, messages: [AppendRequest])
    /// CREATE with superiors (RFC 9051 §6.3.4). Answer `.tree`.
    case create(accountID: Int64, name: String, specialUse: SpecialUse?)
    /// DELETE, refused with inferiors (RFC 9051 §6.3.5). Answer `.tree`.
    case delete(accountID: Int64, name: String)
    /// RENAME with inferiors; INBOX's messages move (RFC 9051 §6.3.6). Answer `.tree`.
    case rename(accountID: Int64, from: String, to: String)
    case subscribe(accountID: Int64, name: String, subscribed: Bool)
    /// Storage use (GETQUOTA), or nil when `mailbox` is given and does not exist (GETQUOTAROOT). Answer `.quota`.
    case quota(accountID: Int64, mailbox: String?)
}

/// The result of a login.
public enum IMAPLoginOutcome: Sendable, Hashable {
    case success(IMAPAccount)
    case invalidCredentials
    case throttled
    case unavailable
    /// The password was right but has expired (RFC 5530 `EXPIRED`).
    case passwordExpired
}

/// A message's index row and, when asked for, its bytes (nil when the file cannot be read).
public struct IMAPLoadedMessage: Sendable, Hashable {
    public var row: StoredMessage
    public var content: [UInt8]?

    public init(row: StoredMessage, content: [UInt8]?) {
        self.row = row
        self.content = content
    }
}

/// `\Deleted` messages and bytes of one mailbox (STATUS DELETED, SIZE).
public struct IMAPMailboxTotals: Sendable, Hashable {
    public var deleted: Int
    public var size: Int64

    public init(deleted: Int, size: Int64) {
        self.deleted = deleted
        self.size = size
    }
}

/// What a mailbox-tree operation did.
public enum IMAPTreeOutcome: Sendable, Hashable {
    /// Done; `deletedMailboxID` names the mailbox DELETE removed.
    case done(deletedMailboxID: Int64?)
    case nonexistent
    case alreadyExists
    case hasChildren
}

/// Why a store operation failed, as IMAP reports it.
public enum IMAPStoreFailure: Error, Sendable, Hashable {
    case noSuchMailbox
    case mailboxExists
    /// DELETE of a mailbox with inferiors (RFC 9051 §6.3.5).
    case hasChildren
    case invalidMailboxName
    case invalidFlag(String)
    case overQuota
    /// The store cannot be reached or failed (`[SERVERBUG] Mail store unavailable`).
    case unavailable
    /// Anything else (`[SERVERBUG] Internal error`).
    case internalError
}

/// The adapter's answer to an `IMAPEffect`.
public enum IMAPEffectResult: Sendable, Equatable {
    case login(IMAPLoginOutcome)
    case snapshot(mailbox: MailboxInfo, index: MailboxIndex)
    case noSnapshot
    case changes(MailboxChanges?)
    case claimedRecent(firstUID: UInt32)
    /// Messages for the first `consumed` UIDs asked (rows missing for expunged ones).
    case messages([IMAPLoadedMessage], consumed: Int)
    /// Whether each message of an `IMAPContentSearch` matched.
    case searched([UInt32: Bool])
    case mailboxList(mailboxes: [MailboxInfo], subscriptions: [String], totals: [Int64: IMAPMailboxTotals])
    /// nil: no such mailbox.
    case status(MailboxInfo?, IMAPMailboxTotals?)
    case flagsStored(FlagStoreResult)
    case copied(CopyResult?)
    case expunged([UInt32])
    case appended([AppendResult]?)
    case tree(IMAPTreeOutcome)
    case done
    case quota(StorageUsage?)
    case failed(IMAPStoreFailure)
}
