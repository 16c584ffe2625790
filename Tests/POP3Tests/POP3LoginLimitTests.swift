import Testing

@testable import POP3

@Suite("POP3: failed logins per connection, revoked sessions")
struct POP3LoginLimitTests {
    @Test("the connection closes after the third refused login (wrong or throttled); other failures do not count")
    func closesAfterFailures() {
        var h = Harness()
        for failure in [POP3LoginFailure.inUse, .temporary, .invalidCredentials, .throttled] {
            _ = h.send("USER a@example.org\r\nPASS p\r\n")
            #expect(!Harness.wire(h.session.resume(.loginFailed(failure))).contains("<close>"))
        }
        _ = h.send("USER a@example.org\r\nPASS p\r\n")
        #expect(Harness.wire(h.session.resume(.loginFailed(.invalidCredentials))) == "-ERR [AUTH] invalid credentials\r\n<close>")
        #expect(h.session.isClosed)
        #expect(h.send("USER a@example.org\r\n").isEmpty)
    }

    @Test("a revoked session says -ERR [AUTH] and closes without UPDATE; during an effect it waits for the result")
    func revoked() {
        var h = Harness.loggedIn()
        #expect(Harness.wire(h.session.revoked()) == "-ERR [AUTH] account disabled or credentials changed\r\n<close>")
        var busy = Harness.loggedIn()
        _ = busy.send("RETR 1\r\n")
        #expect(busy.session.revoked().isEmpty)
        #expect(Harness.wire(busy.session.resume(.sent)) == "-ERR [AUTH] account disabled or credentials changed\r\n<close>")
    }
}
