import Core
import Directory
import PostaTestSupport
import Testing

@testable import IMAP

@Suite("IMAP: failed logins per connection, revoked sessions")
struct SessionLoginLimitTests {
    @Test("after the third failed login the server says BYE and closes")
    func closesAfterFailures() async throws {
        try await SessionFixture.with(.sqlite) { fixture in
            let (transport, task) = try await fixture.session(loggedIn: false)
            #expect(try await transport.command("A1 LOGIN nobody@example.org x").last?.hasPrefix("A1 NO") == true)
            #expect(try await transport.command("A2 LOGIN alice@example.org wrong").last?.hasPrefix("A2 NO") == true)
            #expect(!transport.isClosed)
            let last = try await transport.command("A3 LOGIN alice@example.org wrong")
            #expect(last.contains("A3 NO [AUTHENTICATIONFAILED] Invalid credentials"))
            #expect(last.contains("* BYE Too many failed logins"))
            await task.value
            #expect(transport.isClosed)
        }
    }

    @Test("a revoked account's session gets BYE, in IDLE too; another account's stays", arguments: [false, true])
    func revoked(idle: Bool) async throws {
        try await SessionFixture.with(.sqlite) { fixture in
            let (transport, task) = try await fixture.session()
            #expect(fixture.backend.authenticator.sessions.count(accountID: fixture.account.id) == 1)
            if idle {
                _ = try await transport.command("S1 SELECT INBOX")
                transport.client("I1 IDLE\r\n")
                _ = try await transport.reply(until: "+ ")
            }
            #expect(fixture.backend.authenticator.sessions.revoke(accountID: fixture.account.id + 1, generation: 1) == 0)
            #expect(fixture.backend.authenticator.sessions.revoke(accountID: fixture.account.id, generation: 1) == 1)
            _ = try await transport.reply(until: "* BYE Account disabled or credentials changed")
            await task.value
            #expect(transport.isClosed)
            #expect(fixture.backend.authenticator.sessions.count(accountID: fixture.account.id) == 0)
        }
    }
}
