import Admin
import Core
import PostaTestSupport
import Testing

/// An administrator sets up their own second factor in the console: the secret is stored only
/// once a code proves the app has it, that code is used up, turning it off takes a fresh code,
/// and nobody else (a mail user, an API token) can do either.
@Suite("TOTP enrolment in the console")
struct TOTPEnrolmentTests {
    @Test("propose, confirm with a code, log in with the next code, turn off", arguments: TestDatabases.dialects)
    func enrolment(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let me = f.domainAdmin
            #expect(try await !c.ownTOTPEnabled(as: me))
            let proposal = try await c.proposeTOTP(as: me)
            #expect(proposal.uri.hasPrefix("otpauth://totp/Posta:dora?secret=\(proposal.secret)"))
            // Nothing stored yet: the login needs no code.
            #expect(try await !c.ownTOTPEnabled(as: me))
            let totp = TOTP(secret: try #require(Base32.decode(proposal.secret)))
            let code = totp.code(counter: TOTP.counter(at: f.clock.unixTime))
            let wrong = code == "000000" ? "111111" : "000000"
            await #expect(throws: AdminError.self) { try await c.confirmTOTP(as: me, secret: proposal.secret, code: wrong) }
            await #expect(throws: AdminError.self) { try await c.confirmTOTP(as: me, secret: "not base32!", code: code) }
            #expect(try await !c.ownTOTPEnabled(as: me))
            // The same secret is shown again after a wrong code.
            #expect(try await c.proposeTOTP(as: me, secret: proposal.secret).secret == proposal.secret)

            try await c.confirmTOTP(as: me, secret: proposal.secret, code: code)
            #expect(try await c.ownTOTPEnabled(as: me))
            // An open session cannot swap in a secret of its own while the factor is on.
            let intruder = TOTP.random()
            await #expect(throws: AdminError.conflict("the second factor is on: turn it off first")) {
                try await c.confirmTOTP(
                    as: me, secret: Base32.encode(intruder.secret),
                    code: intruder.code(counter: TOTP.counter(at: f.clock.unixTime)))
            }
            guard
                case .needsSecondFactor = await c.logIn(
                    login: "dora", password: "admin-password-1", totp: nil, clientIP: "192.0.2.1")
            else {
                Issue.record("no second factor asked")
                return
            }
            // The confirming code is used up (RFC 6238 §5.2).
            if case .success = await c.logIn(login: "dora", password: "admin-password-1", totp: code, clientIP: "192.0.2.1") {
                Issue.record("the confirming code was accepted again")
            }
            f.clock.advance(.seconds(30))
            let next = totp.code(counter: TOTP.counter(at: f.clock.unixTime))
            guard
                case .success = await c.logIn(login: "dora", password: "admin-password-1", totp: next, clientIP: "192.0.2.1")
            else {
                Issue.record("the next code was refused")
                return
            }

            // Turning off: a used code is refused, a fresh one works.
            await #expect(throws: AdminError.self) { try await c.turnOffOwnTOTP(as: me, code: next) }
            f.clock.advance(.seconds(30))
            try await c.turnOffOwnTOTP(as: me, code: totp.code(counter: TOTP.counter(at: f.clock.unixTime)))
            #expect(try await !c.ownTOTPEnabled(as: me))
            let audit = try await c.auditLog(as: f.superadmin, AuditFilter(actor: "admin:dora")).items.map(\.action)
            #expect(audit.contains("admin.totp.enable") && audit.contains("admin.totp.disable"))
        }
    }

    @Test("only an administrator, for themselves, in the console", arguments: TestDatabases.dialects)
    func onlyOneself(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let alice = try await f.userPrincipal("alice@example.org")
            await #expect(throws: AccessDenied.self) { try await c.proposeTOTP(as: alice) }
            let api = Principal(f.superadmin.identity, channel: .api, clientIP: "192.0.2.9")
            await #expect(throws: AccessDenied.self) { try await c.proposeTOTP(as: api) }
            await #expect(throws: AccessDenied.self) { try await c.enableTOTP(as: api, login: "root") }
            await #expect(throws: AccessDenied.self) { try await c.turnOffOwnTOTP(as: api, code: "123456") }
        }
    }

    @Test("codes are guessed through the login throttle", arguments: TestDatabases.dialects)
    func guessingIsThrottled(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let me = f.domainAdmin
            let proposal = try await c.proposeTOTP(as: me)
            let totp = TOTP(secret: try #require(Base32.decode(proposal.secret)))
            let code = totp.code(counter: TOTP.counter(at: f.clock.unixTime))
            let wrong = code == "000000" ? "111111" : "000000"
            // lockout_after = 4: four wrong codes, then even the right one is refused.
            for _ in 1...4 {
                await #expect(throws: AdminError.self) { try await c.confirmTOTP(as: me, secret: proposal.secret, code: wrong) }
            }
            await #expect(throws: AdminError.invalid("too many failed attempts: wait a few minutes and try again")) {
                try await c.confirmTOTP(as: me, secret: proposal.secret, code: code)
            }
            #expect(try await !c.ownTOTPEnabled(as: me))
            let logged = try await c.authenticator.loginLog.recent(login: "dora", limit: 10)
            #expect(logged.count == 5 && logged.allSatisfy { $0.protocolName == "web" && !$0.success })
        }
    }
}
