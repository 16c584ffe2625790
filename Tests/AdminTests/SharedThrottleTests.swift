import Admin
import Core
import Directory
import PostaTestSupport
import Testing

@Suite("The console's logins and the mail protocols share one throttle")
struct SharedThrottleTests {
    /// An authenticator with its own memory over the same login log: another node.
    static func otherNode(_ f: AdminFixture) -> Authenticator {
        Authenticator(
            directory: f.console.directory, loginLog: f.console.authenticator.loginLog,
            throttle: LoginThrottle(policy: AdminFixture.throttlePolicy), clock: f.clock)
    }

    @Test("web failures lock IMAP out; lifting the throttle lets the owner in", arguments: TestDatabases.dialects)
    func shared(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            // Four failures on the web (lockout_after = 4), each from another address.
            for n in 1...4 {
                guard
                    case .invalidCredentials = await c.logIn(
                        login: "alice@example.org", password: "guess-\(n)", totp: nil, clientIP: "198.51.100.\(n)")
                else {
                    Issue.record("attempt \(n) not refused as invalid")
                    return
                }
            }
            let imap = await c.authenticator.login(
                user: "alice@example.org", password: "secret-password", clientIP: "192.0.2.80", protocolName: "imap",
                logger: AdminFixture.logger)
            #expect(imap == .throttled)
            // A second node (another process's memory) is refused too: the counts are in the log.
            let node = Self.otherNode(f)
            #expect(
                await node.login(
                    user: "alice@example.org", password: "secret-password", clientIP: "192.0.2.80", protocolName: "imap",
                    logger: AdminFixture.logger) == .throttled)
            let web = try await c.loginLog(as: f.helpdesk, LoginLogFilter(login: "alice@example.org", protocolName: "web"))
            #expect(web.items.count == 4 && web.items.allSatisfy { !$0.success })
            #expect(try await c.account(as: f.helpdesk, address: "alice@example.org").throttled)
            // The helpdesk lifts it: both nodes let the owner in.
            try await c.liftThrottle(as: f.helpdesk, login: "alice@example.org")
            #expect(try await c.account(as: f.helpdesk, address: "alice@example.org").throttled == false)
            for authenticator in [c.authenticator, node] {
                let outcome = await authenticator.login(
                    user: "alice@example.org", password: "secret-password", clientIP: "192.0.2.80", protocolName: "imap",
                    logger: AdminFixture.logger)
                guard case .success(let account) = outcome else {
                    Issue.record("the owner is still refused: \(outcome)")
                    continue
                }
                #expect(account.address == "alice@example.org")
            }
            // The failures are still in the log, as failures.
            #expect(
                try await c.loginLog(as: f.superadmin, LoginLogFilter(login: "alice@example.org", onlyFailures: true)).items.count
                    >= 4)
            let lift = try await c.auditLog(as: f.superadmin, AuditFilter(action: "login.lift-throttle")).items
            #expect(lift.map(\.actor) == ["admin:hal"])
        }
    }

    @Test(
        "a lift made elsewhere clears the memory of the node that saw the failures, once",
        arguments: TestDatabases.dialects)
    func liftFromElsewhere(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            // Another node (its own memory) sees four failures (lockout_after = 4).
            let node = Self.otherNode(f)
            func imap(_ password: String, from ip: String = "192.0.2.80") async -> Authenticator.Outcome {
                await node.login(
                    user: "alice@example.org", password: password, clientIP: ip, protocolName: "imap",
                    logger: AdminFixture.logger)
            }
            for n in 1...4 { #expect(await imap("guess-\(n)", from: "198.51.100.\(n)") == .invalidCredentials) }
            #expect(await imap("secret-password") == .throttled)
            // The lift is made by this console's process, not by the node.
            f.clock.advance(.seconds(5))
            try await c.liftThrottle(as: f.helpdesk, login: "alice@example.org")
            f.clock.advance(.seconds(5))
            guard case .success = await imap("secret-password") else {
                Issue.record("the node still refuses the owner after the lift")
                return
            }
            // Failures after the lift count again: the lift is applied once, not at every attempt.
            for n in 1...4 { #expect(await imap("again-\(n)", from: "203.0.113.\(n)") == .invalidCredentials) }
            #expect(await imap("secret-password", from: "203.0.113.9") == .throttled)
        }
    }

    @Test("the self-service password check is a login attempt: throttled and logged", arguments: TestDatabases.dialects)
    func ownPasswordCheck(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let alice = try await f.userPrincipal("alice@example.org")
            // lockout_after = 4: four wrong current passwords, then even the right one is refused.
            for n in 1...4 {
                await #expect(throws: AdminError.invalid("the current password is not right")) {
                    try await c.changeOwnPassword(as: alice, current: "guess-\(n)", new: "new-password-\(n)")
                }
            }
            await #expect(throws: AdminError.invalid("too many failed attempts: wait a few minutes and try again")) {
                try await c.changeOwnPassword(as: alice, current: "secret-password", new: "new-password-9")
            }
            #expect(
                try await c.directory.authenticate("alice@example.org", password: "secret-password")
                    != .failure(.wrongPassword))
            // Every check is in the login log as a web login of the account, from the session's address.
            let logged = try await c.authenticator.loginLog.recent(login: "alice@example.org", limit: 10)
            #expect(logged.count == 5)
            #expect(logged.allSatisfy { $0.protocolName == "web" && $0.ip == "192.0.2.50" && !$0.success })
        }
    }
}
