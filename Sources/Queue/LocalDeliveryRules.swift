import Core

/// One local delivery as a user's rules see it (Sieve, docs/sieve.md): who it is for, what the
/// message is, and the key that makes each of its side effects happen once.
public struct LocalDeliveryRequest: Sendable {
    public var accountID: Int64
    /// The mailbox's address (the account's), and the envelope recipient as it came.
    public var address: String
    public var recipient: String
    /// The envelope sender; "" for the null reverse-path.
    public var reversePath: String
    /// Where the message goes when the rules keep it: INBOX, or the content filter's choice
    /// (the `\Junk` mailbox for spam).
    public var keepMailbox: String
    /// The header fields Posta puts on top of the spooled message (trace and filter verdicts),
    /// then the spool file from `offset`. The first `traceLength` bytes are Posta's own fields;
    /// what follows is the message's (its header, when forged verdict fields were stripped from
    /// it, then the spool file).
    public var prefix: [UInt8]
    public var traceLength: Int
    public var spoolFile: String
    public var offset: Int64
    public var size: Int64
    /// Unique per queued delivery and stable across retries: actions taken with it (a redirect,
    /// a vacation reply) are taken once even when the delivery is tried again after a crash.
    public var deliveryKey: String
    /// The queue message id (for logs).
    public var messageID: String

    public init(
        accountID: Int64, address: String, recipient: String, reversePath: String, keepMailbox: String, prefix: [UInt8],
        traceLength: Int, spoolFile: String, offset: Int64, size: Int64, deliveryKey: String, messageID: String
    ) {
        self.accountID = accountID
        self.address = address
        self.recipient = recipient
        self.reversePath = reversePath
        self.keepMailbox = keepMailbox
        self.prefix = prefix
        self.traceLength = min(traceLength, prefix.count)
        self.spoolFile = spoolFile
        self.offset = offset
        self.size = size
        self.deliveryKey = deliveryKey
        self.messageID = messageID
    }
}

/// What becomes of a local delivery after the rules ran.
public enum LocalDeliveryDecision: Sendable, Equatable {
    /// Store the message in each mailbox (none: discarded). `header` replaces the message's
    /// header section (Sieve editheader): the stored copy is `header` then the spool file from
    /// `bodyOffset`.
    case file([LocalFiling], header: [UInt8]?, bodyOffset: Int64?)
    /// Refuse it: the sender gets a DSN with this reply (Sieve reject, RFC 5429 §2.1).
    case reject(DeliveryReply)
}

/// One copy of the message in one mailbox.
public struct LocalFiling: Sendable, Equatable {
    public var mailbox: String
    public var flags: [String]
    /// Create the mailbox when it does not exist (RFC 5490 §3.2 `:create`); otherwise a missing
    /// mailbox means INBOX.
    public var create: Bool

    public init(mailbox: String, flags: [String] = [], create: Bool = false) {
        self.mailbox = mailbox
        self.flags = flags
        self.create = create
    }
}

/// Per-user delivery rules (Sieve): asked before each local delivery. Side effects other than
/// filing (replies, redirects) happen inside `decide`, keyed by the request's `deliveryKey`.
public protocol LocalDeliveryRules: Sendable {
    /// The decision for `request`; nil: no rules for this account (deliver as usual).
    /// Throwing defers the delivery (a temporary failure).
    func decide(_ request: LocalDeliveryRequest) async throws -> LocalDeliveryDecision?
    /// Told once every filing of `request` is stored (Sieve duplicate tracking, RFC 7352 §3).
    func delivered(_ request: LocalDeliveryRequest) async
}
