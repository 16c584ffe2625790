import Core
import Logging

/// Logins for every protocol (SMTP AUTH, POP3, IMAP): the failed-login throttle, the password
/// check, and one `login_event` row per attempt (user, IP, protocol, time, outcome) for the
/// compromised-account detection.
public struct Authenticator: Sendable {
    public let directory: Directory
    public let loginLog: LoginLog
    public let throttle: LoginThrottle

    public init(directory: Directory, loginLog: LoginLog, throttle: LoginThrottle = .shared) {
        self.directory = directory
        self.loginLog = loginLog
        self.throttle = throttle
    }

    /// The outcome of a login attempt.
    public enum Outcome: Sendable, Equatable {
        case success(Account)
        /// Wrong user or password, or a disabled account (the client is not told which); the
        /// throttle's delay has already been waited out.
        case invalidCredentials
        /// Too many recent failures from this IP or for this login: refused without checking.
        case throttled
        /// The directory could not be asked (a temporary failure).
        case unavailable
    }

    /// Checks `password` for `user`, waiting the throttle's delay after a failure.
    public func login(user: String, password: String, clientIP: String, protocolName: String, logger: Logger) async
        -> Outcome
    {
        let login = user.lowercased()
        func record(_ accountID: Int64?, success: Bool, reason: String?) async {
            await self.record(
                accountID: accountID, login: login, clientIP: clientIP, protocolName: protocolName, success: success,
                reason: reason, logger: logger)
        }
        // Failures seen by every node (the database) and by this one (memory, also when the database
        // cannot be asked); the larger count decides.
        let shared = await sharedFailures(ip: clientIP, login: login, logger: logger)
        if await throttle.check(ip: clientIP, login: login) == .refused || shared >= throttle.policy.lockoutAfter {
            logger.notice("login refused: throttled", metadata: ["user": "\(login)"])
            await record(nil, success: false, reason: "throttled")
            return .throttled
        }
        let result: LoginResult
        do {
            result = try await directory.authenticate(user, password: password)
        } catch {
            logger.error("authentication failed", metadata: ["error": "\(error)"])
            return .unavailable
        }
        switch result {
        case .failure(let failure):
            let local = await throttle.recordFailure(ip: clientIP, login: login)
            let delay = max(local, throttle.delay(failures: shared + 1))
            logger.notice("login failed", metadata: ["user": "\(login)", "reason": "\(failure.rawValue)", "delay": "\(delay)"])
            await record(nil, success: false, reason: failure.rawValue)
            if delay > .zero { try? await Task.sleep(for: delay) }
            return .invalidCredentials
        case .success(let account):
            await throttle.recordSuccess(ip: clientIP, login: login)
            await record(account.id, success: true, reason: nil)
            logger.info("login", metadata: ["user": "\(login)"])
            return .success(account)
        }
    }

    /// The larger of the IP's and the login's failures in the throttle's window, counted from
    /// `login_event`: what every node of a cluster recorded. Zero when the database cannot be asked.
    private func sharedFailures(ip: String, login: String, logger: Logger) async -> Int {
        let window = Int64(throttle.policy.window.components.seconds)
        do {
            let counts = try await loginLog.failures(ip: ip, login: login, since: UnixTime.now() - window)
            return max(counts.ip, counts.login)
        } catch {
            logger.warning("cannot read login failures", metadata: ["error": "\(error)"])
            return 0
        }
    }

    /// Records a login that passed the password check but failed afterwards (mailbox in use…).
    public func recordRefusal(_ account: Account, clientIP: String, protocolName: String, reason: String, logger: Logger) async {
        await record(
            accountID: account.id, login: account.address.lowercased(), clientIP: clientIP, protocolName: protocolName,
            success: false, reason: reason, logger: logger)
    }

    private func record(
        accountID: Int64?, login: String, clientIP: String, protocolName: String, success: Bool, reason: String?, logger: Logger
    ) async {
        do {
            try await loginLog.record(
                LoginEvent(
                    accountID: accountID, login: login, ip: clientIP, protocolName: protocolName, success: success, reason: reason))
        } catch {
            logger.warning("cannot record login", metadata: ["error": "\(error)"])
        }
    }
}
