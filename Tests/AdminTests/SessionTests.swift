import Admin
import Core
import Directory
import PostaTestSupport
import SQLKit
import Testing

@Suite("Console sessions, API tokens, TOTP")
struct SessionTests {
    static func session(_ login: ConsoleLogin) throws -> ConsoleSession {
        guard case .success(let session) = login else {
            Issue.record("expected a session, got \(login)")
            throw AdminError.invalid("no session")
        }
        return session
    }

    @Test("sessions end after the idle time, after the lifetime, and at logout", arguments: TestDatabases.dialects)
    func expiry(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let s = try Self.session(await c.logIn(login: "root", password: "admin-password-1", totp: nil, clientIP: "192.0.2.1"))
            #expect(s.token.count >= 43 && s.csrf.count >= 43 && s.token != s.csrf)
            // Only a SHA-256 of the cookie value is stored.
            let stored = try await f.db.withConnection { db in
                try await db.select().column("token_hash").from("admin_session").all(
                    decodingColumn: "token_hash", as: String.self)
            }
            #expect(stored.count == 1 && stored[0] != s.token && stored[0].count == 64)
            // Idle: used every 20 minutes it lives on, past the 30-minute idle limit in total...
            for _ in 0..<3 {
                f.clock.advance(.seconds(20 * 60))
                #expect(try await c.session(token: s.token, clientIP: "192.0.2.1")?.csrf == s.csrf)
            }
            // ...but 31 minutes unused ends it.
            f.clock.advance(.seconds(31 * 60))
            #expect(try await c.session(token: s.token, clientIP: "192.0.2.1") == nil)
            // Absolute: kept busy, it still ends 12 hours after login.
            let busy = try Self.session(
                await c.logIn(login: "root", password: "admin-password-1", totp: nil, clientIP: "192.0.2.1"))
            for _ in 0..<(12 * 3 - 1) {
                f.clock.advance(.seconds(20 * 60))
                #expect(try await c.session(token: busy.token, clientIP: "192.0.2.1") != nil)
            }
            f.clock.advance(.seconds(20 * 60))
            #expect(try await c.session(token: busy.token, clientIP: "192.0.2.1") == nil)
            // Logout deletes.
            let third = try Self.session(
                await c.logIn(login: "root", password: "admin-password-1", totp: nil, clientIP: "192.0.2.1"))
            try await c.logOut(token: third.token)
            #expect(try await c.session(token: third.token, clientIP: "192.0.2.1") == nil)
            #expect(try await c.session(token: "made-up", clientIP: "192.0.2.1") == nil)
            // A mail user logs in for self-service.
            let user = try Self.session(
                await c.logIn(login: "alice@example.org", password: "secret-password", totp: nil, clientIP: "192.0.2.1"))
            guard case .user(let account) = user.principal.identity else {
                Issue.record("not a user session")
                return
            }
            #expect(account.address == "alice@example.org")
            let logins = try await c.ownLogins(as: user.principal)
            #expect(logins.first?.protocolName == "web" && logins.first?.success == true)
            await #expect(throws: AccessDenied.self) { try await c.accounts(as: user.principal, AccountQuery()) }
        }
    }

    @Test("API tokens: stored hashed, shown once, revocable", arguments: TestDatabases.dialects)
    func tokens(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let made = try await c.addToken(as: f.superadmin, admin: "hal", name: "scripts")
            #expect(made.token.hasPrefix("posta_"))
            let hashes = try await f.db.withConnection { db in
                try await db.select().column("token_hash").from("admin_token").all(decodingColumn: "token_hash", as: String.self)
            }
            #expect(hashes.count == 1 && !hashes[0].contains(made.token) && hashes[0].count == 64)
            let p = try #require(try await c.principal(apiToken: made.token, clientIP: "192.0.2.3"))
            #expect(p.actor == "admin:hal" && p.channel == .api)
            // A helpdesk token cannot call superadmin operations.
            await #expect(throws: AccessDenied.self) { try await c.policies(as: p) }
            #expect(try await c.tokens(as: f.superadmin, admin: "hal").first?.lastUsedAt != nil)
            #expect(try await c.principal(apiToken: made.token + "x", clientIP: "192.0.2.3") == nil)
            try await c.deleteToken(as: f.superadmin, id: made.record.id)
            #expect(try await c.principal(apiToken: made.token, clientIP: "192.0.2.3") == nil)
            #expect(try await c.tokens(as: f.superadmin, admin: nil).isEmpty)
        }
    }

    @Test("TOTP: RFC 6238 Appendix B vectors (SHA-1)")
    func vectors() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        let cases: [(Int64, String)] = [
            (59, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"), (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
        ]
        for (time, code) in cases {
            #expect(totp.code(counter: TOTP.counter(at: time), digits: 8) == code, "T=\(time)")
            // The 6-digit code is the same value modulo 10^6.
            #expect(totp.code(counter: TOTP.counter(at: time)) == String(code.suffix(6)))
        }
        #expect(totp.matchingStep("287082", at: 59) == 1)
        #expect(totp.matchingStep("287082", at: 59 + 30) == 1)  // one step of drift
        #expect(totp.matchingStep("287082", at: 59 + 90) == nil)
        #expect(totp.matchingStep("28708", at: 59) == nil)
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")  // RFC 4648 §10
        #expect(Base32.decode("MZXW6YTBOI") == Array("foobar".utf8))
    }

    @Test("TOTP at login: asked for, accepted once, refused when wrong", arguments: TestDatabases.dialects)
    func totpLogin(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let made = try await c.enableTOTP(as: f.cli, login: "root")
            #expect(made.uri.hasPrefix("otpauth://totp/Posta:root?secret=\(made.secret)"))
            let totp = TOTP(secret: try #require(Base32.decode(made.secret)))
            guard
                case .needsSecondFactor = await c.logIn(
                    login: "root", password: "admin-password-1", totp: nil, clientIP: "192.0.2.1")
            else {
                Issue.record("no second factor asked")
                return
            }
            if case .success = await c.logIn(login: "root", password: "wrong-password", totp: nil, clientIP: "192.0.2.1") {
                Issue.record("wrong password accepted")
            }
            let code = totp.code(counter: TOTP.counter(at: f.clock.unixTime))
            let wrong = code == "000000" ? "111111" : "000000"
            if case .success = await c.logIn(login: "root", password: "admin-password-1", totp: wrong, clientIP: "192.0.2.1") {
                Issue.record("wrong code accepted")
            }
            _ = try Self.session(await c.logIn(login: "root", password: "admin-password-1", totp: code, clientIP: "192.0.2.1"))
            // RFC 6238 §5.2: the same code is not accepted twice.
            if case .success = await c.logIn(login: "root", password: "admin-password-1", totp: code, clientIP: "192.0.2.1") {
                Issue.record("a code was accepted twice")
            }
        }
    }
}
