import Core
import Logging

/// Logins for every protocol (SMTP AUTH, POP3, IMAP): the failed-login throttle, the password
/// check, one `login_event` row per attempt (user, IP, client key, protocol, time, outcome) for the
/// throttle's cluster-wide counts and the compromised-account detection, and the registry of
/// authenticated sessions that disabling an account or changing its password ends.
public struct Authenticator: Sendable {
    public let directory: Directory
    public let loginLog: LoginLog
    public let throttle: LoginThrottle
    /// This process's authenticated sessions, by account.
    public let sessions: AccountSessions
    public let clock: any LoginClock
    /// Counts logins by protocol and outcome for the dashboard (`DailyCounter.logins`); nil: not counted.
    public let dailyCounts: (any DailyCounting)?

    public init(
        directory: Directory, loginLog: LoginLog, throttle: LoginThrottle = .shared,
        sessions: AccountSessions = AccountSessions(),
        clock: any LoginClock = SystemLoginClock(), dailyCounts: (any DailyCounting)? = nil
    ) {
        self.dailyCounts = dailyCounts
        self.directory = directory
        self.loginLog = loginLog
        self.throttle = throttle
        self.sessions = sessions
        self.clock = clock
    }

    /// Failed attempts after which a protocol session closes its connection with its protocol's
    /// error (SMTP `421 4.7.0`, POP3 `-ERR [AUTH]` and close, IMAP `* BYE`).
    public var maxFailuresPerConnection: Int { throttle.policy.maxFailuresPerConnection }

    /// The outcome of a login attempt.
    public enum Outcome: Sendable, Equatable {
        case success(Account)
        /// Wrong user or password, or a disabled account (the client is not told which); the
        /// throttle's delay has already been waited out.
        case invalidCredentials
        /// Refused without checking (too many recent failures, see `LoginThrottle`); the refusal's
        /// delay has already been waited out.
        case throttled
        /// The directory could not be asked (a temporary failure).
        case unavailable
        /// The password was right but has expired (LDAP password policy): it must be changed
        /// first. Not counted as a failure.
        case passwordExpired
    }

    /// What a credential check (`guarded`) found.
    public enum Check<Subject: Sendable>: Sendable {
        /// Logged in; `accountID` names the mail account in the log (nil for an administrator).
        case success(Subject, accountID: Int64?)
        /// Wrong credentials: counted by the throttle; `reason` goes to the log (`LoginFailure`
        /// raw values, `LoginReason.wrongSecondFactor`).
        case failure(reason: String)
        /// Neither success nor failure (e.g. the password was right and the second factor is
        /// still to come): not counted; `reason` goes to the log.
        case incomplete(reason: String)
    }

    /// The outcome of a `guarded` attempt.
    public enum GuardedOutcome<Subject: Sendable>: Sendable {
        case success(Subject)
        case invalidCredentials
        case incomplete
        case throttled
        case unavailable
    }

    /// Checks `password` for `user`, waiting the throttle's delay after a failure or a refusal.
    public func login(user: String, password: String, clientIP: String, protocolName: String, logger: Logger) async
        -> Outcome
    {
        let outcome = await guarded(login: user, clientIP: clientIP, protocolName: protocolName, logger: logger) {
            () async throws -> Check<Account> in
            switch try await directory.authenticate(user, password: password) {
            case .success(let account): return .success(account, accountID: account.id)
            // The only incomplete mail login: the right password, expired.
            case .failure(.passwordExpired): return .incomplete(reason: LoginFailure.passwordExpired.rawValue)
            case .failure(let failure): return .failure(reason: failure.rawValue)
            }
        }
        switch outcome {
        case .success(let account): return .success(account)
        case .incomplete: return .passwordExpired
        case .invalidCredentials: return .invalidCredentials
        case .throttled: return .throttled
        case .unavailable: return .unavailable
        }
    }

    /// Runs one login attempt of any kind (a mail protocol, the admin console) through the
    /// throttle and the login log: reserves the attempt, refuses it unchecked when the throttle
    /// says so, runs `check`, settles the log row with its outcome and waits the throttle's delay
    /// after a failure or a refusal. Every front end's logins count toward the same limits.
    public func guarded<Subject: Sendable>(
        login user: String, clientIP: String, protocolName: String, logger: Logger,
        check: () async throws -> Check<Subject>
    ) async -> GuardedOutcome<Subject> {
        let login = user.lowercased()
        let client = throttle.clientKey(clientIP)
        let event = LoginEvent(
            accountID: nil, login: login, ip: clientIP, clientKey: client.description, protocolName: protocolName,
            success: false, reason: nil, createdAt: clock.unixTime)
        // The attempt is written (as pending) before anything is counted, on every node's view.
        let reservation = await reserve(event, logger: logger)
        func settle(_ accountID: Int64?, success: Bool, reason: String?) async {
            do {
                if let id = reservation.id {
                    try await loginLog.settle(id: id, accountID: accountID, success: success, reason: reason)
                } else {
                    var final = event
                    (final.accountID, final.success, final.reason) = (accountID, success, reason)
                    try await loginLog.record(final)
                }
            } catch {
                logger.warning("cannot record login", metadata: ["error": "\(error)"])
            }
        }
        if let liftedAt = reservation.counts.liftedAt {
            // A lift made elsewhere (the CLI, another node) also clears this node's memory.
            let now = clock.now
            let instant = now - .seconds(max(0, clock.unixTime - liftedAt))
            await throttle.applyLift(login: login, liftedAt: liftedAt, instant: instant)
        }
        let attempt: LoginThrottle.Attempt
        switch await throttle.begin(client: client, login: login, shared: reservation.counts, now: clock.now) {
        case .refused(let delay):
            logger.notice("login refused: throttled", metadata: ["user": "\(login)", "client": "\(client)"])
            await settle(nil, success: false, reason: LoginReason.throttled)
            DirectoryMetrics.login(protocolName, "throttled")
            count(protocolName, success: false)
            await clock.sleep(for: delay)
            return .throttled
        case .allowed(let allowed):
            attempt = allowed
        }
        let result: Check<Subject>
        do {
            result = try await check()
        } catch {
            logger.error("authentication failed", metadata: ["error": "\(error)"])
            await throttle.abandoned(attempt)
            await settle(nil, success: false, reason: LoginReason.unavailable)
            DirectoryMetrics.login(protocolName, "unavailable")
            return .unavailable
        }
        switch result {
        case .failure(let reason):
            let delay = await throttle.failed(attempt, now: clock.now)
            logger.notice("login failed", metadata: ["user": "\(login)", "reason": "\(reason)", "delay": "\(delay)"])
            await settle(nil, success: false, reason: reason)
            DirectoryMetrics.login(protocolName, "failure")
            count(protocolName, success: false)
            await clock.sleep(for: delay)
            return .invalidCredentials
        case .incomplete(let reason):
            await throttle.abandoned(attempt)
            await settle(nil, success: false, reason: reason)
            return .incomplete
        case .success(let subject, let accountID):
            await throttle.succeeded(attempt, now: clock.now)
            await settle(accountID, success: true, reason: nil)
            DirectoryMetrics.login(protocolName, "success")
            count(protocolName, success: true)
            logger.info("login", metadata: ["user": "\(login)"])
            return .success(subject)
        }
    }

    /// The pending row and the counts of every node; nothing shared when the database cannot be
    /// asked (this node's memory still counts).
    private func reserve(_ event: LoginEvent, logger: Logger) async -> (id: Int64?, counts: LoginThrottle.SharedCounts) {
        let policy = throttle.policy
        let now = event.createdAt
        do {
            return try await loginLog.reserve(
                event, since: now - policy.window.components.seconds, trustedSince: now - policy.trustedFor.components.seconds)
        } catch {
            logger.warning("cannot read login failures", metadata: ["error": "\(error)"])
            return (nil, .none)
        }
    }

    /// Records a login that passed the password check but failed afterwards (mailbox in use…).
    public func recordRefusal(_ account: Account, clientIP: String, protocolName: String, reason: String, logger: Logger) async {
        DirectoryMetrics.login(protocolName, "refused")
        count(protocolName, success: false)
        do {
            try await loginLog.record(
                LoginEvent(
                    accountID: account.id, login: account.address.lowercased(), ip: clientIP,
                    clientKey: throttle.clientKey(clientIP).description, protocolName: protocolName, success: false,
                    reason: reason, createdAt: clock.unixTime))
        } catch {
            logger.warning("cannot record login", metadata: ["error": "\(error)"])
        }
    }

    /// One login for the dashboard: `imap ok`, `imap failed` (the protocol names are Posta's own,
    /// never the client's).
    private func count(_ protocolName: String, success: Bool) {
        dailyCounts?.add(1, to: .logins, key: "\(protocolName) \(success ? "ok" : "failed")")
    }
}
