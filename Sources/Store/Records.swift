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
}

/// Where an append put the message (IMAP APPENDUID needs `uidValidity` and `uid`).
public struct AppendResult: Sendable, Hashable {
    public var mailboxID: Int64
    public var uidValidity: UInt32
    public var uid: UInt32
    public var modSeq: Int64
    public var size: Int64
}

/// An account's storage use against its quota.
public struct StorageUsage: Sendable, Hashable {
    public var usedBytes: Int64
    public var messageCount: Int64
    /// 0 means unlimited.
    public var quotaBytes: Int64
}
