/// Per-listener settings of IMAP sessions.
public struct IMAPConfiguration: Sendable {
    /// Named in the greeting and BYE responses.
    public var hostname: String
    /// STARTTLS is offered (a `imap` listener with a certificate).
    public var startTLSAvailable: Bool
    /// LOGIN and AUTHENTICATE work without TLS (`tls = "none"` listeners, e.g. behind a proxy);
    /// otherwise `LOGINDISABLED` is advertised until TLS (RFC 9051 §6.2.3).
    public var allowPlaintextAuth: Bool
    /// The largest message APPEND accepts (RFC 7889 APPENDLIMIT) and the framer's literal limit.
    public var appendLimit: Int
    /// RFC 9051 §5.4: an authenticated client is not logged out for inactivity before 30 minutes.
    public var autologout: Duration
    /// A client that has not logged in gets less (a minute by default).
    public var loginTimeout: Duration
    /// Commands (bad ones included) accepted before login; the next one gets `* BYE` and the
    /// connection closes.
    public var maxCommandsBeforeLogin: Int
    /// Failed logins per connection (`Authenticator.maxFailuresPerConnection`); after the last one's
    /// NO the session says `* BYE` and closes.
    public var maxLoginFailures: Int

    public init(
        hostname: String, startTLSAvailable: Bool, allowPlaintextAuth: Bool, appendLimit: Int = 50 * 1024 * 1024,
        autologout: Duration = .seconds(30 * 60), loginTimeout: Duration = .seconds(60), maxCommandsBeforeLogin: Int = 50,
        maxLoginFailures: Int = 3
    ) {
        self.maxLoginFailures = maxLoginFailures
        self.maxCommandsBeforeLogin = maxCommandsBeforeLogin
        self.hostname = hostname
        self.startTLSAvailable = startTLSAvailable
        self.allowPlaintextAuth = allowPlaintextAuth
        self.appendLimit = appendLimit
        self.autologout = autologout
        self.loginTimeout = loginTimeout
    }
}
