/// What the adapter must do, in order, after feeding the session an input.
public enum ManageSieveAction: Sendable, Hashable {
    /// Write this response.
    case send(ManageSieveResponse)
    /// Perform this and call `resume(_:)`. Until then the session buffers input and emits nothing;
    /// an effect is always the last action of a batch.
    case effect(ManageSieveEffect)
    /// The `OK` to STARTTLS is queued: flush it, install TLS, then call `tlsEstablished()`. Input
    /// received until then is discarded (RFC 5804 §2.2).
    case startTLS
    /// The client logged in as this account: register the session for revocation, stop the login
    /// timer.
    case authenticated(ManageSieveAccount)
    /// UNAUTHENTICATE (RFC 5804 §2.14): the session no longer belongs to the account.
    case unauthenticated
    /// Close the connection after flushing what came before.
    case close
}

/// Work the session cannot do itself. Script operations are for the logged-in account.
public enum ManageSieveEffect: Sendable, Hashable {
    /// Check the credentials (with the throttle and the login log). Answer `.loggedIn` or `.loginFailed`.
    case login(user: String, password: String, mechanism: String)
    /// The rest answer `.done`, `.scripts`, `.script` or `.failed`.
    case script(accountID: Int64, ManageSieveScriptOperation)
}

/// The script store's operations (RFC 5804 §2.5–§2.12).
public enum ManageSieveScriptOperation: Sendable, Hashable {
    case haveSpace(name: String, size: Int)
    case put(name: String, text: String)
    case list
    /// nil deactivates every script.
    case setActive(name: String?)
    case get(name: String)
    case delete(name: String)
    case rename(from: String, to: String)
    case check(text: String)
}

public struct ManageSieveAccount: Sendable, Hashable {
    public var id: Int64
    /// The login name, for `OWNER` (RFC 5804 §1.7).
    public var name: String

    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }
}

public struct ManageSieveScriptEntry: Sendable, Hashable {
    public var name: String
    public var active: Bool

    public init(name: String, active: Bool) {
        self.name = name
        self.active = active
    }
}

/// Why a login did not succeed.
public enum ManageSieveLoginFailure: Sendable, Hashable {
    /// Unknown user, wrong password or disabled account: the client is not told which.
    case invalidCredentials
    /// Too many failures from this client or for this login.
    case throttled
    /// The directory failed.
    case temporary
    /// The password was right but has expired.
    case passwordExpired
}

/// Why a script operation failed (the storage's errors, seen from the protocol).
public enum ManageSieveFailure: Sendable, Hashable {
    /// The script does not compile: one message per error.
    case invalidScript([String])
    /// RFC 5804 §1.6 name rules.
    case invalidName(String)
    case noSuchScript(String)
    case alreadyExists(String)
    /// DELETESCRIPT of the active script (§2.10).
    case activeScript(String)
    /// At most this many scripts.
    case tooManyScripts(Int)
    /// At most this many bytes per script.
    case tooLarge(Int)
    /// The store failed: try later.
    case temporary
}

/// The adapter's answer to a `ManageSieveEffect`.
public enum ManageSieveEffectResult: Sendable, Hashable {
    case loggedIn(ManageSieveAccount)
    case loginFailed(ManageSieveLoginFailure)
    case done
    case scripts([ManageSieveScriptEntry])
    case script(String)
    case failed(ManageSieveFailure)
}

/// Per-connection settings.
public struct ManageSieveConfiguration: Sendable, Hashable {
    public var hostname: String
    /// STARTTLS can be offered (a certificate exists and the listener is not plain only).
    public var startTLSAvailable: Bool
    /// Allow AUTHENTICATE on an unencrypted connection (the listener has `tls = "none"`).
    public var allowPlaintextAuth: Bool
    /// The `SIEVE` capability (RFC 5804 §1.7): the extensions the interpreter supports.
    public var sieveExtensions: String
    /// The largest script, which is also the largest literal accepted once logged in.
    public var maxScriptSize: Int
    /// Command text per command, literals excluded (and the largest literal before login).
    public var maxLineLength: Int
    /// Commands accepted before a successful login; the next one gets `BYE` and the connection closes.
    public var maxCommandsBeforeLogin: Int
    /// Failed logins per connection; the connection closes after the last one's `NO`.
    public var maxAuthFailures: Int

    public init(
        hostname: String, startTLSAvailable: Bool, allowPlaintextAuth: Bool = false, sieveExtensions: String,
        maxScriptSize: Int, maxLineLength: Int = 8 * 1024, maxCommandsBeforeLogin: Int = 50, maxAuthFailures: Int = 3
    ) {
        self.hostname = hostname
        self.startTLSAvailable = startTLSAvailable
        self.allowPlaintextAuth = allowPlaintextAuth
        self.sieveExtensions = sieveExtensions
        self.maxScriptSize = max(0, maxScriptSize)
        self.maxLineLength = max(512, maxLineLength)
        self.maxCommandsBeforeLogin = maxCommandsBeforeLogin
        self.maxAuthFailures = max(1, maxAuthFailures)
    }
}
