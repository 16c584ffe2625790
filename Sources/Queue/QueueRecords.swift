import Core

/// What the queue keeps about an accepted message (the SMTP envelope and its origin).
public struct QueuedEnvelope: Sendable, Equatable {
    /// The reverse-path; nil is the null sender `<>` (bounces, RFC 5321 §4.5.5).
    public var reversePath: MailAddress?
    /// RFC 3461 RET and ENVID.
    public var dsnRet: DSNReturn?
    public var dsnEnvID: String?
    /// RFC 6152, RFC 3030 BODY.
    public var body: MessageBodyType
    public var smtpUTF8: Bool
    public var clientIP: String
    public var helo: String
    /// RFC 8689: the message came with `REQUIRETLS` and leaves only over authenticated TLS.
    public var requireTLS: Bool

    public init(
        reversePath: MailAddress?, dsnRet: DSNReturn? = nil, dsnEnvID: String? = nil, body: MessageBodyType = .sevenBit,
        smtpUTF8: Bool = false, clientIP: String, helo: String, requireTLS: Bool = false
    ) {
        self.requireTLS = requireTLS
        self.reversePath = reversePath
        self.dsnRet = dsnRet
        self.dsnEnvID = dsnEnvID
        self.body = body
        self.smtpUTF8 = smtpUTF8
        self.clientIP = clientIP
        self.helo = helo
    }
}

/// One delivery the queue owes: an envelope recipient after alias expansion.
public struct QueuedDelivery: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// Into a local account's mailbox.
        case local
        /// To another server (forwarding); delivered by the outbound queue.
        case remote
        /// To the external content filter (`[filter.external]`), which re-injects the result.
        case filter
        /// To a mailing list's address (`target`): the list transport (the `Lists` module) runs the
        /// posting pipeline and queues the copies for the members.
        case list
    }

    /// The envelope recipient as the client gave it.
    public var recipient: String
    /// RFC 3461 ORCPT and NOTIFY (nil: not given).
    public var orcpt: DSNOriginalRecipient?
    public var notify: DSNNotify?
    public var kind: Kind
    /// For local deliveries: the account and its address; for remote: the target address.
    public var accountID: Int64?
    public var target: String
    /// The subaddress detail (`tag` of `user+tag@domain`).
    public var detail: String?
    /// For local deliveries: the mailbox, when not INBOX (e.g. "Junk" after the spam filter).
    public var mailbox: String?
    /// Header fields (CRLF-ended) for this delivery only (`X-Spam-*`), added above the message's.
    public var headers: String?

    public init(
        recipient: String, orcpt: DSNOriginalRecipient? = nil, notify: DSNNotify? = nil, kind: Kind, accountID: Int64?,
        target: String,
        detail: String? = nil
    ) {
        self.recipient = recipient
        self.orcpt = orcpt
        self.notify = notify
        self.kind = kind
        self.accountID = accountID
        self.target = target
        self.detail = detail
    }
}

/// A delivery's state in the queue.
public enum DeliveryStatus: String, Sendable, Codable {
    case pending
    case delivered
    case failed
    /// Failed, and the sender has been sent a DSN for it.
    case bounced
}
