import Core

/// One recipient of a transaction with its DSN parameters.
public struct SMTPRecipient: Sendable, Hashable {
    public var address: MailAddress
    /// nil when NOTIFY was not given (RFC 3461 §4.1 default applies: FAILURE, DELAY at the MTA's choice).
    public var notify: DSNNotify?
    public var orcpt: DSNOriginalRecipient?

    public init(address: MailAddress, notify: DSNNotify? = nil, orcpt: DSNOriginalRecipient? = nil) {
        self.address = address
        self.notify = notify
        self.orcpt = orcpt
    }
}

/// Everything the queue stores about a message besides its bytes.
public struct SMTPEnvelope: Sendable, Hashable {
    /// nil is the null reverse-path `<>` (bounces, RFC 5321 §4.5.5).
    public var reversePath: MailAddress?
    /// Accepted recipients in RCPT order.
    public var recipients: [SMTPRecipient]
    public var dsnRet: DSNReturn?
    /// `ENVID=`, xtext-decoded (RFC 3461 §4.4).
    public var dsnEnvID: String?
    public var body: MessageBodyType
    /// The MAIL command carried `SMTPUTF8` (RFC 6531 §3.4).
    public var smtpUTF8: Bool
    /// `SIZE=` of MAIL (RFC 1870), if given.
    public var declaredSize: Int64?
    /// The HELO/EHLO/LHLO argument.
    public var heloName: String
    /// The `with` value for `Received:` (RFC 3848, RFC 6531 §3.7.3): `ESMTPS`, `UTF8SMTPS`, `LMTP`, ….
    public var protocolName: String
    public var clientIP: String
    public var tls: TLSInfo?
    /// `Received:` fields counted in the header section of the message (0 before the body).
    public var receivedHeaderCount: Int
    /// Octets of message content received (after dot-unstuffing; 0 before the body).
    public var messageSize: Int64
    /// The SASL identity the client authenticated as (RFC 4954), nil when it did not.
    public var authenticatedUser: String?
    /// MAIL carried `REQUIRETLS` (RFC 8689 §4.1): onward delivery only over authenticated TLS.
    public var requireTLS: Bool

    public init(
        reversePath: MailAddress?, recipients: [SMTPRecipient] = [], dsnRet: DSNReturn? = nil,
        dsnEnvID: String? = nil, body: MessageBodyType = .sevenBit, smtpUTF8: Bool = false,
        declaredSize: Int64? = nil, heloName: String, protocolName: String, clientIP: String,
        tls: TLSInfo? = nil, receivedHeaderCount: Int = 0, messageSize: Int64 = 0,
        authenticatedUser: String? = nil, requireTLS: Bool = false
    ) {
        self.requireTLS = requireTLS
        self.reversePath = reversePath
        self.recipients = recipients
        self.dsnRet = dsnRet
        self.dsnEnvID = dsnEnvID
        self.body = body
        self.smtpUTF8 = smtpUTF8
        self.declaredSize = declaredSize
        self.heloName = heloName
        self.protocolName = protocolName
        self.clientIP = clientIP
        self.tls = tls
        self.receivedHeaderCount = receivedHeaderCount
        self.messageSize = messageSize
        self.authenticatedUser = authenticatedUser
    }
}
