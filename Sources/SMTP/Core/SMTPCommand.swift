import Core

/// A parsed SMTP/LMTP command line (RFC 5321 §4.1, RFC 2033 §4.1, RFC 3030 §2, RFC 3207 §4).
public enum SMTPCommand: Sendable, Hashable {
    case helo(String)
    case ehlo(String)
    case lhlo(String)
    case mail(SMTPMailCommand)
    case rcpt(SMTPRecipientCommand)
    case data
    case bdat(size: Int64, last: Bool)
    case rset
    case noop
    case quit
    case vrfy(String)
    case expn(String)
    case help(String?)
    case startTLS
    /// `AUTH SP sasl-mech [SP initial-response]` (RFC 4954 §4). The mechanism is upper-cased; the
    /// initial response is still base64 (`=` stands for an empty one).
    case auth(mechanism: String, initialResponse: String?)
}

/// `MAIL FROM:<reverse-path> [params]` with the parameters this server supports.
public struct SMTPMailCommand: Sendable, Hashable {
    /// nil is `<>`.
    public var reversePath: MailAddress?
    /// `SIZE=` (RFC 1870 §6).
    public var size: Int64?
    /// `BODY=` (RFC 6152, RFC 3030).
    public var body: MessageBodyType?
    /// `SMTPUTF8` (RFC 6531 §3.4).
    public var smtpUTF8: Bool
    /// `RET=` (RFC 3461 §4.3).
    public var ret: DSNReturn?
    /// `ENVID=`, xtext-decoded (RFC 3461 §4.4).
    public var envID: String?
    /// `AUTH=` (RFC 4954 §5), xtext-decoded; `"<>"` when the client sent `AUTH=<>`. Recorded only:
    /// the session does not trust it (RFC 4954 §5 lets a server ignore it).
    public var auth: String?
    /// `REQUIRETLS` (RFC 8689 §4.1): the message may only travel over authenticated TLS.
    public var requireTLS: Bool

    public init(
        reversePath: MailAddress?, size: Int64? = nil, body: MessageBodyType? = nil, smtpUTF8: Bool = false,
        ret: DSNReturn? = nil, envID: String? = nil, auth: String? = nil, requireTLS: Bool = false
    ) {
        self.requireTLS = requireTLS
        self.reversePath = reversePath
        self.size = size
        self.body = body
        self.smtpUTF8 = smtpUTF8
        self.ret = ret
        self.envID = envID
        self.auth = auth
    }
}

/// `RCPT TO:<forward-path> [params]`.
public struct SMTPRecipientCommand: Sendable, Hashable {
    public var recipient: SMTPRecipient

    public init(recipient: SMTPRecipient) {
        self.recipient = recipient
    }
}

extension MailAddress {
    /// True when either part is not US-ASCII, so the transaction needs SMTPUTF8 (RFC 6531 §3.4).
    var needsSMTPUTF8: Bool {
        localPart.utf8.contains { $0 >= 0x80 } || domain.utf8.contains { $0 >= 0x80 }
    }
}
