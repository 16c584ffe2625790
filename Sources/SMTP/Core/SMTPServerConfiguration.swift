/// Which protocol a listener speaks: SMTP (RFC 5321) or LMTP (RFC 2033, LHLO and one reply per
/// recipient after the message).
public enum SMTPServerMode: Sendable, Hashable {
    case smtp
    case lmtp
}

/// The fixed settings of an SMTP/LMTP server session. All limits are enforced by the session itself.
public struct SMTPServerConfiguration: Sendable, Hashable {
    /// The server's own name: greeting, EHLO reply.
    public var hostname: String
    /// The domain a bare `RCPT TO:<Postmaster>` is completed with (RFC 5321 §4.5.1); the hostname
    /// unless set (a site may prefer its primary mail domain).
    public var postmasterDomain: String
    public var mode: SMTPServerMode
    /// Largest message in octets (after dot-unstuffing), advertised as `SIZE` (RFC 1870).
    public var maxMessageSize: Int64
    /// Accepted recipients per transaction; one more gets `452 4.5.3` (RFC 5321 §4.5.3.1.10).
    public var maxRecipients: Int
    /// Longest command line in octets including its CRLF. RFC 5321 §4.5.3.1.4 requires at least
    /// 512; the default is generous for ESMTP parameters.
    public var maxCommandLineLength: Int
    /// Bad commands tolerated per connection; the next one gets `421 4.7.0` and the connection closes.
    public var maxErrors: Int
    /// Commands per connection; the next one gets `421 4.7.0` and the connection closes.
    public var maxCommands: Int
    /// Where clients must log in (submission): commands before a successful AUTH, errors and
    /// AUTH attempts included; the next one gets `421 4.7.0` and the connection closes. nil: no cap.
    public var maxCommandsBeforeLogin: Int?
    /// `Received:` fields allowed in a message header; more is a mail loop (RFC 5321 §6.3): `554 5.4.6`.
    public var maxReceivedHeaders: Int
    /// Whether STARTTLS (RFC 3207) can be offered (a certificate is configured).
    public var startTLSAvailable: Bool
    /// Whether SMTPUTF8 (RFC 6531) is advertised and its MAIL parameter accepted.
    public var advertiseSMTPUTF8: Bool
    /// Free text after `220 <hostname> ESMTP` in the greeting.
    public var greetingBanner: String
    /// Body bytes are handed out in `.messageData` pieces of exactly this size (the last piece of a
    /// message or BDAT chunk may be shorter), so the actions do not depend on how the network split
    /// the stream, and at most this much body is held in the session.
    public var bodyChunkSize: Int
    /// SASL mechanisms offered with `AUTH` (RFC 4954 §3), in advertised order. Only `PLAIN`
    /// (RFC 4616) and `LOGIN` are implemented; other names are ignored. Empty: AUTH is not offered.
    public var authMechanisms: [String]
    /// Offer and accept AUTH only under TLS (RFC 4954 §4, RFC 8314 §3.3); before TLS, AUTH gets
    /// `538 5.7.11`.
    public var authRequiresTLS: Bool
    /// Submission (RFC 6409 §4.3): MAIL before a successful AUTH gets `530 5.7.0` (RFC 4954 §6).
    public var requireAuthForMail: Bool
    /// Failed AUTH attempts per connection; the last one is answered `421 4.7.0` and the connection
    /// closes (guessing needs a new connection, each paying the throttle's delays).
    public var maxAuthFailures: Int

    public init(
        hostname: String,
        mode: SMTPServerMode = .smtp,
        maxMessageSize: Int64 = 50 * 1024 * 1024,
        maxRecipients: Int = 1000,
        maxCommandLineLength: Int = 2048,
        maxErrors: Int = 20,
        maxCommands: Int = 10_000,
        maxCommandsBeforeLogin: Int? = nil,
        maxReceivedHeaders: Int = 50,
        startTLSAvailable: Bool = false,
        advertiseSMTPUTF8: Bool = true,
        greetingBanner: String = "Posta",
        bodyChunkSize: Int = 64 * 1024,
        postmasterDomain: String? = nil,
        authMechanisms: [String] = [],
        authRequiresTLS: Bool = true,
        requireAuthForMail: Bool = false,
        maxAuthFailures: Int = 3
    ) {
        self.maxAuthFailures = max(1, maxAuthFailures)
        self.hostname = hostname
        self.postmasterDomain = postmasterDomain ?? hostname
        self.mode = mode
        self.maxMessageSize = maxMessageSize
        self.maxRecipients = maxRecipients
        self.maxCommandLineLength = maxCommandLineLength
        self.maxErrors = maxErrors
        self.maxCommands = maxCommands
        self.maxCommandsBeforeLogin = maxCommandsBeforeLogin
        self.maxReceivedHeaders = maxReceivedHeaders
        self.startTLSAvailable = startTLSAvailable
        self.advertiseSMTPUTF8 = advertiseSMTPUTF8
        self.greetingBanner = greetingBanner
        self.bodyChunkSize = max(1, bodyChunkSize)
        self.authMechanisms = authMechanisms
        self.authRequiresTLS = authRequiresTLS
        self.requireAuthForMail = requireAuthForMail
    }
}

/// The negotiated TLS parameters, as the adapter reports them (for `Received:` and logs).
public struct TLSInfo: Sendable, Hashable {
    /// e.g. `"TLSv1.3"`.
    public var protocolVersion: String
    /// e.g. `"TLS_AES_256_GCM_SHA384"`.
    public var cipherSuite: String

    public init(protocolVersion: String, cipherSuite: String) {
        self.protocolVersion = protocolVersion
        self.cipherSuite = cipherSuite
    }
}

/// What the adapter knows about the peer when the connection opens.
public struct SMTPClientInfo: Sendable, Hashable {
    public var remoteIP: String
    /// True for implicit TLS (the whole connection is TLS); becomes true after STARTTLS.
    public var isTLS: Bool
    /// The TLS parameters for implicit TLS; after STARTTLS the session takes them from `tlsEstablished`.
    public var tls: TLSInfo?

    public init(remoteIP: String, isTLS: Bool = false, tls: TLSInfo? = nil) {
        self.remoteIP = remoteIP
        self.isTLS = isTLS || tls != nil
        self.tls = tls
    }
}
