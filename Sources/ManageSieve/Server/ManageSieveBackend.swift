import Directory
import Logging
import NIOCore

/// The script store as ManageSieve sees it. `Server` makes the Sieve module's `SieveScripts` meet it
/// (ManageSieve never imports Sieve, as Queue never imports SMTP): each operation's result is
/// `.done`, `.scripts`, `.script` or `.failed` with the storage's refusal.
public protocol ManageSieveScriptStore: Sendable {
    /// The largest script in bytes (and so the largest literal accepted).
    var maximumScriptSize: Int { get }
    /// The `SIEVE` capability: the extensions the interpreter supports.
    var extensionsCapability: String { get }
    func perform(_ operation: ManageSieveScriptOperation, accountID: Int64) async -> ManageSieveEffectResult
}

/// What a ManageSieve connection needs from the rest of Posta: logins (with the login log and the
/// throttle) and the script store.
public final class ManageSieveBackend: Sendable {
    public let authenticator: Authenticator
    public let scripts: any ManageSieveScriptStore
    public let logger: Logger

    public init(authenticator: Authenticator, scripts: any ManageSieveScriptStore, logger: Logger) {
        self.authenticator = authenticator
        self.scripts = scripts
        self.logger = logger
    }

    /// Checks the credentials (throttled) and records the attempt. A session that logs in on
    /// `channel` is registered to end when the account is disabled or its password changes; the
    /// registration is returned so that UNAUTHENTICATE can end it.
    public func login(
        user: String, password: String, clientIP: String, protocolName: String, channel: (any Channel)?, logger: Logger
    ) async -> (ManageSieveEffectResult, SessionRegistration?) {
        switch await authenticator.login(
            user: user, password: password, clientIP: clientIP, protocolName: protocolName, logger: logger)
        {
        case .throttled: return (.loginFailed(.throttled), nil)
        case .invalidCredentials: return (.loginFailed(.invalidCredentials), nil)
        case .unavailable: return (.loginFailed(.temporary), nil)
        case .passwordExpired: return (.loginFailed(.passwordExpired), nil)
        case .success(let account):
            logger.info("logged in", metadata: ["user": "\(account.address)"])
            let registration = channel.map { authenticator.sessions.register(account, channel: $0) }
            return (.loggedIn(ManageSieveAccount(id: account.id, name: account.address)), registration)
        }
    }

    /// Runs a script operation for the logged-in account; refusals are logged at info, failures of
    /// the store at error (the client sees `NO (TRYLATER)`).
    public func perform(_ operation: ManageSieveScriptOperation, accountID: Int64, logger: Logger) async
        -> ManageSieveEffectResult
    {
        let result = await scripts.perform(operation, accountID: accountID)
        switch result {
        case .failed(.temporary):
            logger.error("script store failed", metadata: ["operation": "\(Self.name(operation))"])
        case .failed(let failure):
            logger.info("refused", metadata: ["operation": "\(Self.name(operation))", "reason": "\(failure)"])
        default:
            logger.debug("done", metadata: ["operation": "\(Self.name(operation))"])
        }
        return result
    }

    /// The command's name for logs (never a script's text).
    static func name(_ operation: ManageSieveScriptOperation) -> String {
        switch operation {
        case .haveSpace: "HAVESPACE"
        case .put: "PUTSCRIPT"
        case .list: "LISTSCRIPTS"
        case .setActive: "SETACTIVE"
        case .get: "GETSCRIPT"
        case .delete: "DELETESCRIPT"
        case .rename: "RENAMESCRIPT"
        case .check: "CHECKSCRIPT"
        }
    }
}
