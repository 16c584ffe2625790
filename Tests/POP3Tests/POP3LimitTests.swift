import Testing

@testable import POP3

/// Issue #12 item 3: bounded work for an anonymous client.
@Suite("POP3 session: limits before login")
struct POP3LimitTests {
    @Test("commands before login are capped: -ERR and close")
    func capBeforeLogin() {
        var h = Harness()
        let actions = h.send(String(repeating: "CAPA\r\n", count: 50) + "CAPA\r\nCAPA\r\n")
        #expect(actions.count == 52)
        #expect(Harness.wire(Array(actions.suffix(2))) == "-ERR too many commands before login, closing connection\r\n<close>")
        #expect(h.session.isClosed)
    }

    @Test("failed logins count; after login there is no cap")
    func loginEndsTheCap() {
        // Failed logins per connection have their own, smaller cap (`maxAuthFailures`); lifted here
        // to see the command cap alone.
        var h = Harness(maxAuthFailures: 100)
        for _ in 0..<10 {
            _ = h.send("USER alice@example.org\r\nPASS wrong\r\n")
            _ = h.session.resume(.loginFailed(.invalidCredentials))
        }
        var session = Harness.loggedIn().session
        var out: [POP3Action] = []
        for _ in 0..<200 { out += session.receive(Array("NOOP\r\n".utf8)) }
        #expect(out.allSatisfy { if case .send(let r) = $0 { r.ok } else { false } } && out.count == 200)
        // 20 commands so far, 30 left before the cap.
        let more = h.send(String(repeating: "NOOP\r\n", count: 31))
        #expect(Harness.wire(Array(more.suffix(1))) == "<close>")
    }

    @Test("login timeout: -ERR and close")
    func loginTimeout() {
        var h = Harness()
        #expect(Harness.wire(h.session.loginTimeout()) == "-ERR login timeout, closing connection\r\n<close>")
        #expect(Harness.loggedIn().session.isInTransaction)
        var logged = Harness.loggedIn()
        #expect(logged.session.loginTimeout().isEmpty)
    }

    @Test("a long pipelined burst is framed line by line, however it is split")
    func longBurst() {
        var whole = Harness.loggedIn()
        var split = Harness.loggedIn()
        let text = String(repeating: "NOOP\r\n", count: 5000)
        let a = whole.send(text)
        var b: [POP3Action] = []
        for chunk in Array(text.utf8).chunked(7) { b += split.session.receive(chunk) }
        #expect(a == b && a.count == 5000)
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
