import Core

/// Value types shared by the outbound SMTP client session (`SMTPClientSession`) and its NIO driver
/// (`SMTPClientConnection`).

/// When the client upgrades to TLS with STARTTLS (RFC 3207).
public enum SMTPClientTLSPolicy: Sendable, Hashable {
    /// Never send STARTTLS.
    case none
    /// STARTTLS when the server offers it; plaintext otherwise, or when the server refuses it.
    case opportunistic
    /// STARTTLS must succeed (or the connection must already be TLS) before MAIL FROM; every
    /// recipient fails temporarily otherwise (4.7.4, as RFC 3207 §4.1 leaves the policy to the client).
    case required
}

public struct SMTPClientConfiguration: Sendable, Hashable {
    /// The name sent with EHLO/HELO (RFC 5321 §4.1.1.1).
    public var heloName: String
    public var tlsPolicy: SMTPClientTLSPolicy
    /// The connection is already TLS (implicit TLS, port 465): STARTTLS is never sent.
    public var isTLS: Bool
    /// Longest reply line accepted, CRLF included. RFC 5321 §4.5.3.1.5 sets 512; servers exceed
    /// it, so the default is lenient but still bounded.
    public var maxLineLength: Int
    /// Most lines accepted in one multi-line reply.
    public var maxReplyLines: Int
    /// After a transaction, wait `.idle` for another (`nextTransaction`) instead of sending QUIT.
    public var keepsConnection: Bool
    /// Log in with SMTP AUTH (RFC 4954) before MAIL; only ever over TLS (use `.required`).
    public var credentials: SMTPClientCredentials?

    public init(
        heloName: String, tlsPolicy: SMTPClientTLSPolicy = .opportunistic, isTLS: Bool = false,
        maxLineLength: Int = 2048, maxReplyLines: Int = 100, keepsConnection: Bool = false,
        credentials: SMTPClientCredentials? = nil
    ) {
        self.credentials = credentials
        self.keepsConnection = keepsConnection
        self.heloName = heloName
        self.tlsPolicy = tlsPolicy
        self.isTLS = isTLS
        self.maxLineLength = maxLineLength
        self.maxReplyLines = maxReplyLines
    }
}

/// A user name and password for SMTP AUTH PLAIN (RFC 4616) or LOGIN.
public struct SMTPClientCredentials: Sendable, Hashable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }
}

public struct OutboundRecipient: Sendable, Hashable {
    /// The forward-path without angle brackets.
    public var address: String
    /// The RFC 3461 §4.1 NOTIFY value, sent when the server offers DSN; nil: not sent.
    public var notify: DSNNotify?
    /// The RFC 3461 §4.2 ORCPT value, decoded; the session xtext-encodes the address.
    public var orcpt: DSNOriginalRecipient?

    public init(address: String, notify: DSNNotify? = nil, orcpt: DSNOriginalRecipient? = nil) {
        self.address = address
        self.notify = notify
        self.orcpt = orcpt
    }
}

public struct OutboundEnvelope: Sendable, Hashable {
    /// The reverse-path without angle brackets; "" is the null sender `<>`.
    public var reversePath: String
    public var recipients: [OutboundRecipient]
    /// Message size in octets, sent as `SIZE=` when the server offers SIZE (RFC 1870 §6).
    public var size: Int64
    /// The content has octets above 127: needs `BODY=8BITMIME` (RFC 6152).
    public var body8bit: Bool
    /// The envelope or headers need SMTPUTF8 (RFC 6531).
    public var smtpUTF8: Bool
    /// RFC 3461 §4.3 RET, sent when the server offers DSN.
    public var dsnRet: DSNReturn?
    /// The envelope identifier, decoded; the session xtext-encodes it (RFC 3461 §4.4).
    public var dsnEnvID: String?
    /// Send `REQUIRETLS` (RFC 8689 §4.1); a server that does not offer it, or a connection
    /// without TLS, fails every recipient with 5.7.10 and nothing is sent.
    public var requireTLS: Bool

    public init(
        reversePath: String, recipients: [OutboundRecipient], size: Int64, body8bit: Bool = false,
        smtpUTF8: Bool = false, dsnRet: DSNReturn? = nil, dsnEnvID: String? = nil, requireTLS: Bool = false
    ) {
        self.requireTLS = requireTLS
        self.reversePath = reversePath
        self.recipients = recipients
        self.size = size
        self.body8bit = body8bit
        self.smtpUTF8 = smtpUTF8
        self.dsnRet = dsnRet
        self.dsnEnvID = dsnEnvID
    }
}

/// The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1).
public struct SMTPClientCapabilities: Sendable, Hashable {
    /// Upper-cased keyword → its parameters as sent (possibly empty).
    public var keywords: [String: String] = [:]

    public init() {}

    /// Parses the EHLO reply: the first line is the server's domain and greeting, each further line
    /// `ehlo-keyword *(SP ehlo-param)` (RFC 5321 §4.1.1.1).
    public init(ehloReply reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let trimmed = line.drop(while: { $0 == " " })
            guard !trimmed.isEmpty else { continue }
            let keyword = trimmed.prefix(while: { $0 != " " })
            let parameters = trimmed.dropFirst(keyword.count).drop(while: { $0 == " " })
            keywords[keyword.uppercased()] = String(parameters)
        }
    }

    public func offers(_ keyword: String) -> Bool { keywords[keyword.uppercased()] != nil }

    public var pipelining: Bool { offers("PIPELINING") }  // RFC 2920
    public var size: Bool { offers("SIZE") }  // RFC 1870
    /// The announced fixed maximum; nil when absent or 0 (RFC 1870 §4: 0 means no fixed limit).
    public var sizeLimit: Int64? {
        guard let value = keywords["SIZE"], let limit = Int64(value.split(separator: " ").first ?? ""), limit > 0
        else { return nil }
        return limit
    }
    public var eightBitMIME: Bool { offers("8BITMIME") }  // RFC 6152
    public var startTLS: Bool { offers("STARTTLS") }  // RFC 3207
    public var smtpUTF8: Bool { offers("SMTPUTF8") }  // RFC 6531
    public var dsn: Bool { offers("DSN") }  // RFC 3461
    public var chunking: Bool { offers("CHUNKING") }  // RFC 3030
    public var enhancedStatusCodes: Bool { offers("ENHANCEDSTATUSCODES") }  // RFC 2034
    public var requireTLS: Bool { offers("REQUIRETLS") }  // RFC 8689
    /// The SASL mechanisms of the AUTH keyword, upper-cased (RFC 4954 §3).
    public var authMechanisms: Set<String> {
        Set((keywords["AUTH"] ?? "").split(separator: " ").map { $0.uppercased() })
    }
}

/// What happened to one recipient. The reply is the server's (text kept for DSNs) unless
/// `SMTPRecipientResult.fromServer` is false, when the client made it up (policy refusal, timeout,
/// dropped connection).
public enum SMTPRecipientOutcome: Sendable, Hashable {
    case accepted(SMTPReply)
    case temporaryFailure(SMTPReply)
    case permanentFailure(SMTPReply)

    public var reply: SMTPReply {
        switch self {
        case .accepted(let r), .temporaryFailure(let r), .permanentFailure(let r): r
        }
    }

    /// 2xx → accepted, 5xx → permanent, anything else → temporary.
    init(classifying reply: SMTPReply) {
        if reply.isPositiveCompletion {
            self = .accepted(reply)
        } else if reply.isPermanentFailure {
            self = .permanentFailure(reply)
        } else {
            self = .temporaryFailure(reply)
        }
    }
}

public struct SMTPRecipientResult: Sendable, Hashable {
    public var recipient: OutboundRecipient
    public var outcome: SMTPRecipientOutcome
    /// The reply came from the server (false: synthesised locally).
    public var fromServer: Bool

    public init(recipient: OutboundRecipient, outcome: SMTPRecipientOutcome, fromServer: Bool) {
        self.recipient = recipient
        self.outcome = outcome
        self.fromServer = fromServer
    }
}

public struct SMTPDeliveryResult: Sendable, Hashable {
    /// One entry per envelope recipient, in envelope order.
    public var recipients: [SMTPRecipientResult]
    /// The capabilities of the last EHLO (empty after HELO).
    public var capabilities: SMTPClientCapabilities
    /// The transaction ran over TLS.
    public var usedTLS: Bool

    public init(recipients: [SMTPRecipientResult], capabilities: SMTPClientCapabilities, usedTLS: Bool) {
        self.recipients = recipients
        self.capabilities = capabilities
        self.usedTLS = usedTLS
    }
}

/// An effect the driver performs for `SMTPClientSession`.
public enum SMTPClientAction: Sendable, Hashable {
    /// Write these bytes.
    case send([UInt8])
    /// Put TLS in front of the connection, then call `tlsEstablished()` (RFC 3207 §4.2).
    case startTLS
    /// Stream the message through `SMTPDataEncoder` (which appends the final `.`); the session
    /// now waits for the reply to the end of data.
    case sendMessageData
    /// The delivery outcome is known (sent once).
    case finished(SMTPDeliveryResult)
    /// Close the connection.
    case close
}

/// Which reply the session waits for; the driver picks the timeout from it (RFC 5321 §4.5.3.2).
public enum SMTPClientWaitState: Sendable, Hashable {
    case greeting, ehlo, helo, startTLS, tlsHandshake, mail, rcpt, data, dataTermination, quit
    /// Between transactions of a kept connection; no reply is due.
    case idle
    /// AUTH and its challenges (RFC 4954 §4).
    case auth
    /// RSET before a further transaction (RFC 5321 §4.1.1.5).
    case rset
}
