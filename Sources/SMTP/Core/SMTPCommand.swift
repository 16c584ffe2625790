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
}

/// `MAIL FROM:<reverse-path> [params]` with the parameters this server supports.
public struct SMTPMailCommand: Sendable, Hashable {
    /// nil is `<>`.
    public var reversePath: MailAddress?
    /// `SIZE=` (RFC 1870 §6).
    public var size: Int64?
    /// `BODY=` (RFC 6152, RFC 3030).
    public var body: SMTPBodyType?
    /// `SMTPUTF8` (RFC 6531 §3.4).
    public var smtpUTF8: Bool
    /// `RET=` (RFC 3461 §4.3).
    public var ret: SMTPDSNReturn?
    /// `ENVID=`, xtext-decoded (RFC 3461 §4.4).
    public var envID: String?

    public init(
        reversePath: MailAddress?, size: Int64? = nil, body: SMTPBodyType? = nil, smtpUTF8: Bool = false,
        ret: SMTPDSNReturn? = nil, envID: String? = nil
    ) {
        self.reversePath = reversePath
        self.size = size
        self.body = body
        self.smtpUTF8 = smtpUTF8
        self.ret = ret
        self.envID = envID
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
