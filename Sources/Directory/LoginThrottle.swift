/// Slows down and then refuses password guessing, per client IP and per login. In memory, one
/// per process (`shared`), protocol-neutral: POP3, IMAP and SMTP AUTH consult the same instance.
///
/// Policy (defaults): failures older than `window` (10 min) are forgotten. From the
/// `delayAfter`+1-th failure (4th) on, each failed attempt is answered only after a delay that
/// doubles from `baseDelay` (1 s, 2 s, 4 s…) up to `maxDelay` (15 s). From `lockoutAfter` (10)
/// failures on, attempts are refused without checking the password for `lockout` (15 min) after
/// the last failure. A success resets the login's counter (not the IP's).
///
/// This counts what one node sees. `Authenticator` also counts the failures every node recorded in
/// `login_event` within `window` and applies the same policy to the larger count, so guessing spread
/// over the nodes of a cluster is slowed and refused too (there a lockout lasts while attempts go on,
/// and ends `window` after the last one, since refused attempts are recorded as failures).
public actor LoginThrottle {
    public struct Policy: Sendable, Hashable {
        public var delayAfter: Int
        public var window: Duration
        public var baseDelay: Duration
        public var maxDelay: Duration
        public var lockoutAfter: Int
        public var lockout: Duration

        public init(
            delayAfter: Int = 3, window: Duration = .seconds(600), baseDelay: Duration = .seconds(1),
            maxDelay: Duration = .seconds(15), lockoutAfter: Int = 10, lockout: Duration = .seconds(900)
        ) {
            self.delayAfter = delayAfter
            self.window = window
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.lockoutAfter = lockoutAfter
            self.lockout = lockout
        }
    }

    /// Whether an attempt may check a password now.
    public enum Verdict: Sendable, Hashable {
        case allowed
        /// Too many failures: refuse without checking, temporarily.
        case refused
    }

    private enum Key: Hashable {
        case ip(String)
        case login(String)
    }

    public nonisolated let policy: Policy
    private var failures: [Key: [ContinuousClock.Instant]] = [:]
    private var recorded = 0

    /// The process-wide instance every protocol uses.
    public static let shared = LoginThrottle()

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// Call before checking a password.
    public func check(ip: String, login: String, now: ContinuousClock.Instant = .now) -> Verdict {
        for key in keys(ip: ip, login: login) {
            let recent = prune(key, now: now)
            if recent.count >= policy.lockoutAfter, let last = recent.last, now - last < policy.lockout { return .refused }
        }
        return .allowed
    }

    /// Records a failed attempt; returns how long to wait before answering it.
    public func recordFailure(ip: String, login: String, now: ContinuousClock.Instant = .now) -> Duration {
        recorded += 1
        if recorded % 1024 == 0 {
            // Keys nobody retries are otherwise never pruned.
            for key in Array(failures.keys) { _ = prune(key, now: now) }
        }
        var worst = 0
        for key in keys(ip: ip, login: login) {
            var recent = prune(key, now: now)
            recent.append(now)
            failures[key] = recent
            worst = max(worst, recent.count)
        }
        return delay(failures: worst)
    }

    /// A successful login: forgets the login's failures.
    public func recordSuccess(ip: String, login: String) {
        failures[.login(login.lowercased())] = nil
    }

    /// The delay after `failures` failures in the window.
    public nonisolated func delay(failures: Int) -> Duration {
        guard failures > policy.delayAfter else { return .zero }
        let exponent = min(failures - policy.delayAfter - 1, 30)
        let delay = policy.baseDelay * (1 << exponent)
        return min(delay, policy.maxDelay)
    }

    private func keys(ip: String, login: String) -> [Key] {
        [.ip(ip), .login(login.lowercased())]
    }

    /// The key's failures within the window (lockouts keep theirs until the lockout ends).
    private func prune(_ key: Key, now: ContinuousClock.Instant) -> [ContinuousClock.Instant] {
        guard let list = failures[key] else { return [] }
        let recent: [ContinuousClock.Instant]
        if list.count >= policy.lockoutAfter, let last = list.last, now - last < policy.lockout {
            recent = list
        } else {
            recent = list.filter { now - $0 < policy.window }
        }
        if recent.isEmpty { failures[key] = nil } else if recent.count != list.count { failures[key] = recent }
        return recent
    }
}
