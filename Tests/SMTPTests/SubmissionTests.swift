import Core
import Testing

@testable import SMTP

/// Submission (RFC 6409) on the implicit-TLS port (RFC 8314): AUTH required before MAIL.
@Suite("Session: submission mode (RFC 6409)")
struct SubmissionTests {
    static let submission = SMTPServerConfiguration.auth.with { $0.requireAuthForMail = true }

    @Test func mailBeforeAuthIsRefused() {
        var d = SessionDriver(Self.submission, client: .implicitTLS)
        d.send("EHLO c.example\r\n")
        // RFC 4954 §6: 530 5.7.0; the sender is never checked.
        #expect(d.send("MAIL FROM:<a@b.example>\r\n").statuses == ["530 5.7.0"])
        #expect(d.send("RCPT TO:<bob@example.org>\r\n").statuses == ["503 5.5.1"])
        #expect(d.effects.isEmpty)
        // Failed authentication does not open the door.
        d.send("AUTH PLAIN \(b64("\u{0}alice\u{0}nope"))\r\n")
        #expect(d.send("MAIL FROM:<a@b.example>\r\n").statuses == ["530 5.7.0"])
    }

    @Test func mailAfterAuthIsAccepted() throws {
        var d = SessionDriver(Self.submission, client: .implicitTLS)
        let actions = d.send(
            "EHLO c.example\r\nAUTH PLAIN \(alicePlain)\r\nMAIL FROM:<alice@example.org> AUTH=alice@example.org\r\n"
                + "RCPT TO:<someone@example.org>\r\nDATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\n")
        #expect(actions.statuses == ["250", "235 2.7.0", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0"])
        let env = try #require(d.messages.first).envelope
        #expect(env.protocolName == "ESMTPSA")
        #expect(env.authenticatedUser == "alice")
    }

    @Test func submissionOverSTARTTLS() throws {
        var d = SessionDriver(Self.submission)
        d.send("EHLO c.example\r\n")
        #expect(d.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["538 5.7.11"])
        #expect(d.send("MAIL FROM:<a@b.example>\r\n").statuses == ["530 5.7.0"])
        d.send("STARTTLS\r\n")
        d.tlsEstablished()
        d.send("EHLO c.example\r\nAUTH LOGIN \(b64("alice"))\r\n\(b64("secret"))\r\n")
        d.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nBDAT 3 LAST\r\nhi\n")
        let env = try #require(d.messages.first).envelope
        #expect(env.protocolName == "ESMTPSA")
        #expect(env.tls == .test)
    }

    @Test func defaultsKeepRelayModeOpen() {
        var d = SessionDriver()
        d.send("EHLO c.example\r\n")
        #expect(d.send("MAIL FROM:<a@b.example>\r\n").statuses == ["250 2.1.0"])
    }
}

/// Issue #12 item 3: an anonymous client on a login listener cannot pipeline without end.
@Suite("Session: limits before authentication")
struct SubmissionLoginLimitTests {
    static let capped = SubmissionTests.submission.with { $0.maxCommandsBeforeLogin = 5 }

    @Test func commandsBeforeAuthAreCapped() {
        var d = SessionDriver(Self.capped, client: .implicitTLS)
        let actions = d.send("EHLO c.example\r\n" + String(repeating: "NOOP\r\n", count: 4) + "NOOP\r\nNOOP\r\n")
        #expect(actions.statuses == ["250"] + Array(repeating: "250 2.0.0", count: 4) + ["421 4.7.0"])
        #expect(actions.last == .close)
    }

    @Test func failedLoginsCountAndTheCapEndsAtLogin() {
        var d = SessionDriver(Self.capped, client: .implicitTLS)
        d.send("EHLO c.example\r\nAUTH PLAIN \(b64("\u{0}alice\u{0}nope"))\r\n")
        let actions = d.send("AUTH PLAIN \(alicePlain)\r\n" + String(repeating: "NOOP\r\n", count: 10))
        #expect(actions.statuses == ["235 2.7.0"] + Array(repeating: "250 2.0.0", count: 10))
    }

    @Test func loginTimeoutSays421AndCloses() {
        var d = SessionDriver(Self.capped, client: .implicitTLS)
        let actions = d.absorb(d.session.loginTimeout())
        #expect(actions.statuses == ["421 4.7.0"] && actions.last == .close)
    }

    @Test func theMXListenerHasNoSuchCap() {
        var d = SessionDriver()
        #expect(d.send(String(repeating: "NOOP\r\n", count: 60)).codes == Array(repeating: 250, count: 60))
    }
}
