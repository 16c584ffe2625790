/// What the adapter must do, in order, after feeding the session an input.
public enum POP3Action: Sendable, Hashable {
    /// Send this response (single- or multi-line).
    case send(POP3Response)
    /// RFC 5034 §4 server challenge: `+ <base64>` CRLF (PLAIN's is empty).
    case continuation(String)
    /// Perform this and call `resume(_:)`. Until then the session buffers input and emits
    /// nothing; an effect is always the last action of a batch.
    case effect(POP3Effect)
    /// The `+OK` to STLS is queued: flush it, install TLS, then call `tlsEstablished()`.
    /// Input received until then is discarded (RFC 2595 §4; pipelined plaintext must not be
    /// executed after the handshake).
    case startTLS
    /// Close the connection after flushing what came before.
    case close
}

/// Work the session cannot do itself.
public enum POP3Effect: Sendable, Hashable {
    /// Check the credentials (applying login throttling), lock the maildrop and take the
    /// snapshot. Answer `.loggedIn` or `.loginFailed`.
    case login(user: String, password: String, mechanism: String)
    /// Send `transfer.status`, then the message file streamed through a `POP3DotStuffer` with
    /// `transfer.bodyLineLimit`, then its `finish()`. Answer `.sent`, or `.unavailable` when the
    /// file cannot be opened (nothing was written). A failure after the status line was sent
    /// cannot be reported in-band: close the connection instead.
    case sendMessage(POP3Transfer)
    /// UPDATE state (RFC 1939 §6): remove these UIDs from the mailbox, then release the
    /// maildrop. Answer `.updated`.
    case update(mailboxID: Int64, uids: [UInt32])
}

public struct POP3Transfer: Sendable, Hashable {
    public var number: Int
    public var message: POP3Message
    /// nil for RETR; TOP's line count.
    public var bodyLineLimit: Int?
    public var status: POP3Response
}

/// Why a login did not open the maildrop.
public enum POP3LoginFailure: Sendable, Hashable {
    /// Unknown user, wrong password or disabled account: the client is not told which.
    case invalidCredentials
    /// Too many failures from this client or for this login.
    case throttled
    /// Another session holds the maildrop.
    case inUse
    /// Directory or store failure.
    case temporary
    /// The password was right but has expired (the directory's password policy).
    case passwordExpired
}

/// The adapter's answer to a `POP3Effect`.
public enum POP3EffectResult: Sendable, Hashable {
    case loggedIn(POP3Maildrop)
    case loginFailed(POP3LoginFailure)
    case sent
    case unavailable
    /// Whether every deletion was applied.
    case updated(complete: Bool)
}

/// Per-connection settings.
public struct POP3Configuration: Sendable, Hashable {
    public var hostname: String
    /// STLS can be offered (a certificate exists and the listener is not implicit TLS).
    public var stlsAvailable: Bool
    /// Allow USER/PASS and AUTH on an unencrypted connection (RFC 2595 §2.4 recommends not).
    public var allowPlaintextAuth: Bool
    /// Longest command line, CRLF excluded. RFC 2449 §4 caps commands at 255 octets (we accept up
    /// to 1024 for long passwords and refuse longer lines with -ERR); SASL
    /// responses (RFC 5034 §4) may be longer, so the cap applies to those separately.
    public var maxCommandLength: Int
    public var maxSASLLength: Int
    /// Commands (errors and failed logins included) accepted before a successful login; the next
    /// one gets `-ERR` and the connection closes, so an anonymous client cannot pipeline without end.
    public var maxCommandsBeforeLogin: Int
    /// Failed logins per connection; the connection closes after the last one's `-ERR`.
    public var maxAuthFailures: Int

    public init(
        hostname: String, stlsAvailable: Bool, allowPlaintextAuth: Bool = false, maxCommandLength: Int = 1024,
        maxSASLLength: Int = 8192, maxCommandsBeforeLogin: Int = 50, maxAuthFailures: Int = 3
    ) {
        self.maxCommandsBeforeLogin = maxCommandsBeforeLogin
        self.maxAuthFailures = max(1, maxAuthFailures)
        self.hostname = hostname
        self.stlsAvailable = stlsAvailable
        self.allowPlaintextAuth = allowPlaintextAuth
        self.maxCommandLength = maxCommandLength
        self.maxSASLLength = maxSASLLength
    }
}
