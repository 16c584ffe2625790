import Core

/// Slows down and then refuses password guessing. In memory, one per process, protocol-neutral:
/// POP3, IMAP and SMTP AUTH consult the same instance through `Authenticator`, which adds the counts
/// every node recorded in `login_event` (`SharedCounts`) so the rules hold across a cluster.
///
/// Rules (defaults of `Policy` in brackets):
/// - Failures are counted per client (`ClientKey`: an IPv4 address or an IPv6 /64), per login, and
///   per (client, login) pair. A failure counts for `window` [10 min].
/// - An attempt is refused without checking its password while its pair has `lockoutAfter` [10]
///   failures, and — unless the client is *trusted* for that login — while the client or the login
///   has. A client is trusted for a login when it logged in as that login within `trustedFor`
///   [30 days]: someone else's guessing from other addresses (or behind the same NAT) never locks an
///   account's owner out of her usual address. Only her own pair's failures can.
/// - A lockout lasts `lockout` [15 min] after the last failure. Refused attempts are not failures:
///   they neither extend a lockout nor count against the client that made them.
/// - A failed attempt is answered after `delay(n)` (n: the largest applicable count, this attempt
///   included): none up to `delayAfter` [3], then `baseDelay` [1 s] doubling up to `maxDelay` [15 s].
///   A refused attempt is answered after `maxDelay`. Waiting is the caller's `Task.sleep`: it holds
///   no thread and no database connection.
/// - A success forgets its pair's failures and trusts the pair. The login's and the client's stay:
///   the owner logging in from home does not hand a distributed guesser a fresh set of attempts.
/// - Checking and reserving are one step of this actor: an attempt in progress counts as a failure
///   until it ends, so N concurrent attempts cannot all pass the check before any is recorded.
public actor LoginThrottle {
    public struct Policy: Sendable, Hashable {
        public var delayAfter: Int
        public var window: Duration
        public var baseDelay: Duration
        public var maxDelay: Duration
        public var lockoutAfter: Int
        public var lockout: Duration
        public var trustedFor: Duration
        /// Failed attempts after which a protocol session closes its connection.
        public var maxFailuresPerConnection: Int
        /// IPv6 clients are counted by this prefix length.
        public var ipv6PrefixLength: Int

        public init(
            delayAfter: Int = 3, window: Duration = .seconds(600), baseDelay: Duration = .seconds(1),
            maxDelay: Duration = .seconds(15), lockoutAfter: Int = 10, lockout: Duration = .seconds(900),
            trustedFor: Duration = .seconds(30 * 86400), maxFailuresPerConnection: Int = 3,
            ipv6PrefixLength: Int = ClientKey.defaultIPv6PrefixLength
        ) {
            self.delayAfter = delayAfter
            self.window = window
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
            self.lockoutAfter = lockoutAfter
            self.lockout = lockout
            self.trustedFor = trustedFor
            self.maxFailuresPerConnection = maxFailuresPerConnection
            self.ipv6PrefixLength = ipv6PrefixLength
        }

        /// The `[auth]` settings of the configuration; IPv6 clients are counted by
        /// `limits.ipv6_prefix_length`, as the connection limits count them.
        public init(_ settings: AuthSettings, ipv6PrefixLength: Int = ClientKey.defaultIPv6PrefixLength) {
            self.init(
                delayAfter: settings.delayAfter, window: settings.window.duration, baseDelay: settings.baseDelay.duration,
                maxDelay: settings.maxDelay.duration, lockoutAfter: settings.lockoutAfter, lockout: settings.lockout.duration,
                trustedFor: settings.trustedFor.duration, maxFailuresPerConnection: settings.maxFailuresPerConnection,
                ipv6PrefixLength: ipv6PrefixLength)
        }
    }

    /// Failures recorded by every node within the window, this attempt not included, and whether
    /// the client logged in as the login within `trustedFor` on any node.
    public struct SharedCounts: Sendable, Hashable {
        public var client: Int
        public var login: Int
        public var pair: Int
        public var trusted: Bool
        /// The latest time (seconds since 1970) an administrator lifted the login's failures within
        /// the window, on any node: `applyLift` makes this node's memory forget them too.
        public var liftedAt: Int64?

        public init(client: Int = 0, login: Int = 0, pair: Int = 0, trusted: Bool = false, liftedAt: Int64? = nil) {
            self.client = client
            self.login = login
            self.pair = pair
            self.trusted = trusted
            self.liftedAt = liftedAt
        }

        /// Nothing known (the database could not be asked).
        public static let none = SharedCounts()
    }

    /// An attempt allowed to check its password; end it with `failed`, `succeeded` or `abandoned`.
    public struct Attempt: Sendable, Hashable {
        public let client: String
        public let login: String
        let started: ContinuousClock.Instant
        /// The largest count that applied to it, this attempt not included.
        let prior: Int
        let trusted: Bool
    }

    public enum Decision: Sendable, Hashable {
        case allowed(Attempt)
        /// Refused unchecked; answer after `delay`.
        case refused(delay: Duration)
    }

    private enum Key: Hashable {
        case client(String)
        case login(String)
        case pair(String, String)
    }

    public nonisolated let policy: Policy
    private var failures: [Key: [ContinuousClock.Instant]] = [:]
    /// The last success of each (client, login).
    private var successes: [Key: ContinuousClock.Instant] = [:]
    private var events = 0
    /// The lift (seconds since 1970) each login's memory was last cleared for, so a lift seen in
    /// the shared counts is applied once, not at every attempt after it.
    private var appliedLifts: [String: Int64] = [:]
    /// Most lifts remembered; forgetting one only means applying it again (harmless).
    static let maxAppliedLifts = 10_000
    /// Most pairs remembered as trusted; the database remembers the rest.
    static let maxTrustedPairs = 100_000

    /// The process-wide instance every protocol uses.
    public static let shared = LoginThrottle()

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// The client key of an address under this policy.
    public nonisolated func clientKey(_ address: String) -> ClientKey {
        ClientKey(address: address, ipv6PrefixLength: policy.ipv6PrefixLength)
    }

    /// Decides whether an attempt may check a password and, if so, counts it as a failure until it ends.
    public func begin(client: ClientKey, login: String, shared: SharedCounts = .none, now: ContinuousClock.Instant)
        -> Decision
    {
        housekeeping(now: now)
        let (client, login) = (client.description, login.lowercased())
        let pair = Key.pair(client, login)
        let trusted = shared.trusted || successes[pair].map { now - $0 < policy.trustedFor } == true
        var prior = max(prune(pair, now: now), shared.pair)
        if !trusted {
            prior = max(prior, prune(.client(client), now: now), shared.client, prune(.login(login), now: now), shared.login)
        }
        guard prior < policy.lockoutAfter else { return .refused(delay: policy.maxDelay) }
        for key in keys(client, login) { failures[key, default: []].append(now) }
        return .allowed(Attempt(client: client, login: login, started: now, prior: prior, trusted: trusted))
    }

    /// The password was wrong (or the login unknown, or disabled): the attempt stays a failure.
    /// Returns how long to wait before answering.
    public func failed(_ attempt: Attempt, now: ContinuousClock.Instant) -> Duration {
        var count = attempt.prior + 1
        let applicable = attempt.trusted ? [Key.pair(attempt.client, attempt.login)] : keys(attempt.client, attempt.login)
        for key in applicable { count = max(count, failures[key]?.count ?? 0) }
        return delay(failures: count)
    }

    /// A successful login: forgets the pair's failures and trusts the pair.
    public func succeeded(_ attempt: Attempt, now: ContinuousClock.Instant) {
        remove(attempt)
        failures[.pair(attempt.client, attempt.login)] = nil
        successes[.pair(attempt.client, attempt.login)] = now
    }

    /// The password could not be checked (directory unavailable): the attempt is not a failure.
    public func abandoned(_ attempt: Attempt) {
        remove(attempt)
    }

    /// An administrator lifted the throttle of `login` on this node: forgets this process's
    /// failures of the login and of each of its (client, login) pairs, and takes the pairs'
    /// failures back from their clients' counts (a client's failures against other logins still
    /// count). Other nodes learn of the lift from the shared counts (`applyLift`).
    public func forget(login: String) {
        forget(login: login.lowercased(), before: nil)
    }

    /// A lift another node (or the CLI) recorded at `liftedAt` (seconds since 1970), which was
    /// `instant` on this process's clock: forgets the failures of `login` that are older than
    /// it, once per lift. Failures after the lift still count.
    public func applyLift(login: String, liftedAt: Int64, instant: ContinuousClock.Instant) {
        let login = login.lowercased()
        guard appliedLifts[login].map({ $0 < liftedAt }) ?? true else { return }
        if appliedLifts.count >= Self.maxAppliedLifts { appliedLifts.removeAll(keepingCapacity: true) }
        appliedLifts[login] = liftedAt
        forget(login: login, before: instant)
    }

    /// Forgets the login's failures (all, or those before `before`) and takes its pairs' failures
    /// back from their clients' counts.
    private func forget(login: String, before: ContinuousClock.Instant?) {
        let lifted: (ContinuousClock.Instant) -> Bool = { instant in before.map { instant <= $0 } ?? true }
        func keep(_ key: Key) -> [ContinuousClock.Instant] {
            let rest = (failures[key] ?? []).filter { !lifted($0) }
            failures[key] = rest.isEmpty ? nil : rest
            return rest
        }
        _ = keep(.login(login))
        for key in Array(failures.keys) {
            guard case .pair(let client, login) = key, let instants = failures[key] else { continue }
            _ = keep(key)
            guard var list = failures[.client(client)] else { continue }
            for instant in instants where lifted(instant) {
                if let index = list.lastIndex(of: instant) { list.remove(at: index) }
            }
            failures[.client(client)] = list.isEmpty ? nil : list
        }
    }

    /// The delay after `failures` failures in the window.
    public nonisolated func delay(failures: Int) -> Duration {
        guard failures > policy.delayAfter else { return .zero }
        let exponent = min(failures - policy.delayAfter - 1, 30)
        let delay = policy.baseDelay * (1 << exponent)
        return min(delay, policy.maxDelay)
    }

    private func keys(_ client: String, _ login: String) -> [Key] {
        [.client(client), .login(login), .pair(client, login)]
    }

    /// Takes back the reservation `begin` made.
    private func remove(_ attempt: Attempt) {
        for key in keys(attempt.client, attempt.login) {
            guard var list = failures[key], let index = list.lastIndex(of: attempt.started) else { continue }
            list.remove(at: index)
            failures[key] = list.isEmpty ? nil : list
        }
    }

    /// Keys nobody retries are otherwise never pruned.
    private func housekeeping(now: ContinuousClock.Instant) {
        events += 1
        guard events % 1024 == 0 || successes.count > Self.maxTrustedPairs else { return }
        for key in Array(failures.keys) { _ = prune(key, now: now) }
        successes = successes.filter { now - $0.value < policy.trustedFor }
        if successes.count > Self.maxTrustedPairs {
            // Keep the most recent half; older trust is still found in the login log.
            let keep = successes.sorted { $0.value > $1.value }.prefix(Self.maxTrustedPairs / 2)
            successes = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }

    /// The number of the key's failures that count now: those within the window, or all of them
    /// while a lockout lasts (`lockout` after the last one).
    private func prune(_ key: Key, now: ContinuousClock.Instant) -> Int {
        guard let list = failures[key] else { return 0 }
        let recent: [ContinuousClock.Instant]
        if list.count >= policy.lockoutAfter, let last = list.last, now - last < policy.lockout {
            recent = list
        } else {
            recent = list.filter { now - $0 < policy.window }
        }
        if recent.isEmpty { failures[key] = nil } else if recent.count != list.count { failures[key] = recent }
        return recent.count
    }
}
