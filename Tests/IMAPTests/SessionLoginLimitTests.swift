import Connection
import Testing

@testable import IMAP

@Suite("IMAP: failed logins per connection, revoked sessions")
struct SessionLoginLimitTests {
    @Test("after the third failed login the server says BYE and closes")
    func closesAfterFailures() async throws {
        let d = try await SessionDriver.make(loggedIn: false)
        #expect(await d.command("A1 LOGIN nobody@example.org x").last?.hasPrefix("A1 NO") == true)
        #expect(await d.command("A2 LOGIN alice@example.org wrong").last?.hasPrefix("A2 NO") == true)
        #expect(!d.closed)
        let last = await d.command("A3 LOGIN alice@example.org wrong")
        #expect(last == ["A3 NO [AUTHENTICATIONFAILED] Invalid credentials", "* BYE Too many failed logins"])
        #expect(d.closed)
    }

    @Test("a revoked session gets BYE and closes, in IDLE too", arguments: [false, true])
    func revoked(idle: Bool) async throws {
        let d = try await SessionDriver.make()
        #expect(d.loggedIn?.id == 1)
        if idle {
            _ = await d.command("S1 SELECT INBOX")
            await d.client("I1 IDLE\r\n")
            #expect(d.takeLines() == ["+ idling"])
            #expect(d.watching != nil)
        }
        await d.perform(d.session.revoked())
        #expect(d.takeLines() == ["* BYE Account disabled or credentials changed"])
        #expect(d.closed)
    }

    @Test("AUTHENTICATE PLAIN and LOGIN with and without an initial response; * cancels")
    func authenticate() async throws {
        let plain = SASLLine.plain(SessionDriver.address, SessionDriver.password)
        let d = try await SessionDriver.make(loggedIn: false)
        await d.client("a AUTHENTICATE PLAIN\r\n")
        #expect(d.takeLines() == ["+ "])
        #expect(await d.command("*") == ["a BAD Authentication cancelled"])
        await d.client("b AUTHENTICATE LOGIN\r\n")
        #expect(d.takeLines() == ["+ VXNlcm5hbWU6"])
        await d.client(SASLLine.base64(SessionDriver.address) + "\r\n")
        #expect(d.takeLines() == ["+ UGFzc3dvcmQ6"])
        #expect(await d.command(SASLLine.base64("wrong")).last == "b NO [AUTHENTICATIONFAILED] Invalid credentials")
        let ok = await d.command("c AUTHENTICATE PLAIN \(plain)")
        #expect(ok.last?.hasPrefix("c OK [CAPABILITY IMAP4rev1") == true && d.loggedIn?.address == SessionDriver.address)
    }
}

enum SASLLine {
    static func base64(_ text: String) -> String { SASLBase64.encode(text) }
    static func plain(_ user: String, _ password: String) -> String { base64("\0\(user)\0\(password)") }
}
