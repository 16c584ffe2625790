import Core
import Directory
import Logging
import PostaTestSupport
import Testing

/// Two nodes (two `Authenticator`s, each with its own in-memory throttle) on one database: the
/// failures each records in `login_event` count on the other.
@Suite("Login throttle shared by the nodes of a cluster")
struct SharedThrottleTests {
    static let policy = LoginThrottle.Policy(
        delayAfter: 1, window: .seconds(600), baseDelay: .milliseconds(200), maxDelay: .seconds(1), lockoutAfter: 4,
        lockout: .seconds(900))
    static let logger = Logger(label: "test")

    static func nodes(_ db: Database) async throws -> (Authenticator, Authenticator, Account) {
        try await db.migrate(DirectorySchema.migrations + LoginSchema.migrations)
        let directory = Directory(database: db)
        try await directory.addDomain("example.org")
        let carol = try await directory.addAccount("carol@example.org", password: DirectoryFixture.password, quotaBytes: 0)
        _ = try await directory.addAccount("dave@example.org", password: DirectoryFixture.password, quotaBytes: 0)
        let log = LoginLog(database: db)
        return (
            Authenticator(directory: directory, loginLog: log, throttle: LoginThrottle(policy: policy)),
            Authenticator(directory: directory, loginLog: log, throttle: LoginThrottle(policy: policy)), carol
        )
    }

    static func attempt(_ node: Authenticator, _ user: String, _ password: String, from ip: String) async
        -> Authenticator.Outcome
    {
        await node.login(user: user, password: password, clientIP: ip, protocolName: "imap", logger: logger)
    }

    @Test("failures on one node slow down and then refuse the same login on another", arguments: TestDatabases.dialects)
    func loginCountedAcrossNodes(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let (a, b, _) = try await Self.nodes(db)
            // Two failures on node A, from two addresses (so only the login's counter grows).
            #expect(await Self.attempt(a, "carol@example.org", "wrong", from: "192.0.2.1") == .invalidCredentials)
            #expect(await Self.attempt(a, "carol@example.org", "wrong", from: "192.0.2.2") == .invalidCredentials)
            // Node B has seen nothing itself, yet its first failure for carol is the third: delayed.
            let started = ContinuousClock.now
            #expect(await Self.attempt(b, "carol@example.org", "wrong", from: "192.0.2.3") == .invalidCredentials)
            #expect(ContinuousClock.now - started >= .milliseconds(380))  // delay(3) = 2 × 200 ms
            #expect(await Self.attempt(b, "carol@example.org", "wrong", from: "192.0.2.4") == .invalidCredentials)
            // Four failures in the cluster: refused without checking, even with the right password, on both.
            #expect(await Self.attempt(b, "carol@example.org", "secret-password", from: "192.0.2.5") == .throttled)
            #expect(await Self.attempt(a, "carol@example.org", "secret-password", from: "192.0.2.6") == .throttled)
        }
    }

    @Test("a success on any node resets the login; an address's failures count for every login", arguments: TestDatabases.dialects)
    func successAndAddress(dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { db in
            let (a, b, carol) = try await Self.nodes(db)
            for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
                #expect(await Self.attempt(a, "dave@example.org", "wrong", from: ip) == .invalidCredentials)
            }
            #expect(await Self.attempt(b, "dave@example.org", "secret-password", from: "192.0.2.9") != .throttled)
            // After the success, dave's earlier failures no longer count (3 + 1 would reach 4).
            #expect(await Self.attempt(a, "dave@example.org", "wrong", from: "192.0.2.10") == .invalidCredentials)
            #expect(await Self.attempt(b, "dave@example.org", "secret-password", from: "192.0.2.11") != .throttled)
            // Refusals for other reasons (POP3 maildrop in use) are not failures.
            for _ in 0..<4 {
                await a.recordRefusal(carol, clientIP: "198.51.100.7", protocolName: "pop3", reason: "in-use", logger: Self.logger)
            }
            #expect(await Self.attempt(b, "carol@example.org", "secret-password", from: "198.51.100.7") != .throttled)
            // One address guessing many logins across both nodes is refused everywhere.
            for (index, user) in ["u1", "u2", "u3", "u4"].enumerated() {
                let node = index.isMultiple(of: 2) ? a : b
                #expect(await Self.attempt(node, "\(user)@example.org", "x", from: "203.0.113.5") == .invalidCredentials)
            }
            #expect(await Self.attempt(b, "carol@example.org", "secret-password", from: "203.0.113.5") == .throttled)
        }
    }
}
