import Core
import Directory
import Logging
import PostaTestSupport
import Testing

/// Two nodes (two `Authenticator`s, each with its own in-memory throttle) on one database: the
/// failures each records in `login_event` count on the other. Time is a manual clock: delays are
/// recorded, not waited.
@Suite("Login throttle shared by the nodes of a cluster")
struct SharedThrottleTests {
    static let policy = LoginThrottle.Policy(
        delayAfter: 1, window: .seconds(600), baseDelay: .seconds(1), maxDelay: .seconds(8), lockoutAfter: 4,
        lockout: .seconds(900))
    static let logger = Logger(label: "test")

    struct Cluster {
        let a: Authenticator
        let b: Authenticator
        let carol: Account
        let clock: ManualLoginClock
        let log: LoginLog
    }

    static func nodes(_ db: Database) async throws -> Cluster {
        try await db.migrate(DirectorySchema.migrations + LoginSchema.migrations)
        let directory = Directory(database: db)
        try await directory.addDomain("example.org")
        let carol = try await directory.addAccount("carol@example.org", password: DirectoryFixture.password, quotaBytes: 0)
        for user in ["dave", "alice", "bob"] {
            _ = try await directory.addAccount("\(user)@example.org", password: DirectoryFixture.password, quotaBytes: 0)
        }
        let log = LoginLog(database: db)
        let clock = ManualLoginClock()
        func node() -> Authenticator {
            Authenticator(directory: directory, loginLog: log, throttle: LoginThrottle(policy: policy), clock: clock)
        }
        return Cluster(a: node(), b: node(), carol: carol, clock: clock, log: log)
    }

    static func attempt(_ node: Authenticator, _ user: String, _ password: String, from ip: String) async
        -> Authenticator.Outcome
    {
        await node.login(user: user, password: password, clientIP: ip, protocolName: "imap", logger: logger)
    }

    static func succeeded(_ outcome: Authenticator.Outcome) -> Bool {
        if case .success = outcome { return true }
        return false
    }

    @Test("failures on one node slow down and then refuse the same login on another", arguments: TestDatabases.dialects)
    func loginCountedAcrossNodes(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let c = try await Self.nodes(db)
            // Two failures on node A, from two addresses (so only the login's counter grows).
            #expect(await Self.attempt(c.a, "carol@example.org", "wrong", from: "192.0.2.1") == .invalidCredentials)
            #expect(await Self.attempt(c.a, "carol@example.org", "wrong", from: "192.0.2.2") == .invalidCredentials)
            #expect(c.clock.takeSleeps() == [.zero, .seconds(1)])
            // Node B has seen nothing itself, yet its first failure for carol is the third: 2 s.
            #expect(await Self.attempt(c.b, "carol@example.org", "wrong", from: "192.0.2.3") == .invalidCredentials)
            #expect(await Self.attempt(c.b, "carol@example.org", "wrong", from: "192.0.2.4") == .invalidCredentials)
            #expect(c.clock.takeSleeps() == [.seconds(2), .seconds(4)])
            // Four failures in the cluster: refused unchecked, even with the right password, on both,
            // from addresses that never logged in as carol; each refusal costs the client max_delay.
            #expect(await Self.attempt(c.b, "carol@example.org", "secret-password", from: "192.0.2.5") == .throttled)
            #expect(await Self.attempt(c.a, "carol@example.org", "secret-password", from: "192.0.2.6") == .throttled)
            #expect(c.clock.takeSleeps() == [.seconds(8), .seconds(8)])
        }
    }

    @Test(
        "a success on any node trusts its address; an address's failures count for every login", arguments: TestDatabases.dialects
    )
    func successAndAddress(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let c = try await Self.nodes(db)
            for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
                #expect(await Self.attempt(c.a, "dave@example.org", "wrong", from: ip) == .invalidCredentials)
            }
            // A success from a fourth address (3 failures: not yet locked) makes that address trusted…
            #expect(Self.succeeded(await Self.attempt(c.b, "dave@example.org", "secret-password", from: "192.0.2.9")))
            // …but does not wipe the login's failures: a fourth locks dave for addresses without history,
            #expect(await Self.attempt(c.a, "dave@example.org", "wrong", from: "192.0.2.10") == .invalidCredentials)
            #expect(await Self.attempt(c.b, "dave@example.org", "secret-password", from: "192.0.2.11") == .throttled)
            // not for the one that succeeded, on either node.
            #expect(Self.succeeded(await Self.attempt(c.a, "dave@example.org", "secret-password", from: "192.0.2.9")))
            // Refusals for other reasons (POP3 maildrop in use) are not failures.
            for _ in 0..<4 {
                await c.a.recordRefusal(
                    c.carol, clientIP: "198.51.100.7", protocolName: "pop3", reason: "in-use", logger: Self.logger)
            }
            #expect(Self.succeeded(await Self.attempt(c.b, "carol@example.org", "secret-password", from: "198.51.100.7")))
            // One address guessing many logins across both nodes is refused everywhere, for logins
            // it has no history with.
            for (index, user) in ["u1", "u2", "u3", "u4"].enumerated() {
                let node = index.isMultiple(of: 2) ? c.a : c.b
                #expect(await Self.attempt(node, "\(user)@example.org", "x", from: "203.0.113.5") == .invalidCredentials)
            }
            #expect(await Self.attempt(c.b, "bob@example.org", "secret-password", from: "203.0.113.5") == .throttled)
        }
    }

    @Test(
        "the measured lock-out: 30 wrong passwords from one address do not lock the owner out of her usual one, nor her neighbours",
        arguments: TestDatabases.dialects)
    func ownerKeepsHerAddress(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let c = try await Self.nodes(db)
            // Alice has logged in from her usual address before (through node A).
            #expect(Self.succeeded(await Self.attempt(c.a, "alice@example.org", "secret-password", from: "192.0.2.10")))
            c.clock.advance(.seconds(3600))
            for _ in 0..<30 {
                let outcome = await Self.attempt(c.a, "alice@example.org", "guess", from: "198.51.100.66")
                #expect(outcome == .invalidCredentials || outcome == .throttled)
            }
            // Node B never saw alice: her trust comes from the login log.
            #expect(Self.succeeded(await Self.attempt(c.b, "alice@example.org", "secret-password", from: "192.0.2.10")))
            // Her mistyped passwords count against her address only as her own failures…
            #expect(await Self.attempt(c.b, "alice@example.org", "typo", from: "192.0.2.10") == .invalidCredentials)
            // …and her neighbour behind the same address logs in.
            #expect(Self.succeeded(await Self.attempt(c.a, "bob@example.org", "secret-password", from: "192.0.2.10")))
            // From an address with no history, alice's login is locked.
            #expect(await Self.attempt(c.b, "alice@example.org", "secret-password", from: "203.0.113.50") == .throttled)
            // The refusals are recorded as `throttled` and not counted: 4 wrong passwords were checked
            // (the lockout threshold), the other 26 refused.
            let events = try await c.log.recent(login: "alice@example.org", limit: 100)
            #expect(events.filter { $0.reason == "wrong-password" && $0.ip == "198.51.100.66" }.count == 4)
            #expect(events.filter { $0.reason == LoginReason.throttled }.count == 27)
            #expect(!events.contains { $0.reason == LoginReason.pending })
            #expect(events.allSatisfy { $0.clientKey == $0.ip })
        }
    }

    @Test(
        "concurrent wrong passwords on two nodes: no more password checks than the lockout threshold",
        arguments: TestDatabases.dialects)
    func concurrentAttempts(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let c = try await Self.nodes(db)
            let outcomes = await withTaskGroup(of: Authenticator.Outcome.self) { group in
                for i in 0..<24 {
                    let node = i.isMultiple(of: 2) ? c.a : c.b
                    group.addTask { await Self.attempt(node, "carol@example.org", "guess", from: "198.51.100.\(i)") }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let checked = outcomes.filter { $0 == .invalidCredentials }.count
            #expect(checked >= 1 && checked <= Self.policy.lockoutAfter, "\(outcomes)")
            #expect(outcomes.filter { $0 == .throttled }.count == 24 - checked)
        }
    }
}
