// Plain mailbox values shared by the store (module Store) and the protocol sessions (IMAP, POP3),
// so a sans-I/O session can use them without importing the store.

/// One mailbox as the index knows it.
public struct MailboxInfo: Sendable, Hashable {
    public var id: Int64
    public var accountID: Int64
    /// The IMAP name (`INBOX` is always spelled so).
    public var name: String
    /// Non-zero; never reused for this account, so a re-created mailbox gets a new one.
    public var uidValidity: UInt32
    /// The UID the next message will get.
    public var uidNext: UInt32
    /// The mailbox's modification sequence (RFC 7162 HIGHESTMODSEQ); at least 1.
    public var highestModSeq: Int64
    public var specialUse: SpecialUse?
    public var subscribed: Bool
    public var messageCount: Int
    /// Messages without `\Seen`.
    public var unseenCount: Int
    /// Messages no session has claimed as `\Recent` yet (RFC 3501 STATUS RECENT).
    public var recentCount: Int = 0

    public init(
        id: Int64, accountID: Int64, name: String, uidValidity: UInt32, uidNext: UInt32, highestModSeq: Int64,
        specialUse: SpecialUse?, subscribed: Bool, messageCount: Int, unseenCount: Int, recentCount: Int = 0
    ) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.uidValidity = uidValidity
        self.uidNext = uidNext
        self.highestModSeq = highestModSeq
        self.specialUse = specialUse
        self.subscribed = subscribed
        self.messageCount = messageCount
        self.unseenCount = unseenCount
        self.recentCount = recentCount
    }
}

/// One message as the index knows it.
public struct StoredMessage: Sendable, Hashable {
    public var mailboxID: Int64
    public var uid: UInt32
    public var modSeq: Int64
    /// Bytes in the file (RFC822.SIZE).
    public var size: Int64
    /// Seconds since 1970 (IMAP INTERNALDATE).
    public var internalDate: Int64
    /// System flags (`\Seen`…) first, then keywords.
    public var flags: [String]
    /// Absolute path of the (immutable) message file.
    public var path: String

    public init(
        mailboxID: Int64, uid: UInt32, modSeq: Int64, size: Int64, internalDate: Int64, flags: [String], path: String
    ) {
        self.mailboxID = mailboxID
        self.uid = uid
        self.modSeq = modSeq
        self.size = size
        self.internalDate = internalDate
        self.flags = flags
        self.path = path
    }
}

/// Where an append put the message (IMAP APPENDUID needs `uidValidity` and `uid`).
public struct AppendResult: Sendable, Hashable {
    public var mailboxID: Int64
    public var uidValidity: UInt32
    public var uid: UInt32
    public var modSeq: Int64
    public var size: Int64

    public init(mailboxID: Int64, uidValidity: UInt32, uid: UInt32, modSeq: Int64, size: Int64) {
        self.mailboxID = mailboxID
        self.uidValidity = uidValidity
        self.uid = uid
        self.modSeq = modSeq
        self.size = size
    }
}

/// An account's storage use against its quota.
public struct StorageUsage: Sendable, Hashable {
    public var usedBytes: Int64
    public var messageCount: Int64
    /// 0 means unlimited.
    public var quotaBytes: Int64

    public init(usedBytes: Int64, messageCount: Int64, quotaBytes: Int64) {
        self.usedBytes = usedBytes
        self.messageCount = messageCount
        self.quotaBytes = quotaBytes
    }
}

/// One message of a batch append.
public struct AppendRequest: Sendable, Hashable {
    public var data: [UInt8]
    public var flags: [String]
    /// Seconds since 1970; now when nil.
    public var internalDate: Int64?

    public init(data: [UInt8], flags: [String] = [], internalDate: Int64? = nil) {
        self.data = data
        self.flags = flags
        self.internalDate = internalDate
    }
}
