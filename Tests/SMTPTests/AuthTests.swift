import Core
import PostaTestSupport
import Testing

@testable import SMTP

extension SMTPServerConfiguration {
    /// AUTH PLAIN LOGIN offered, TLS required for it (the default).
    static let auth = SMTPServerConfiguration.test { $0.authMechanisms = ["PLAIN", "LOGIN"] }
}

extension SMTPClientInfo {
    static let implicitTLS = SMTPClientInfo(remoteIP: "192.0.2.7", tls: .test)
}

/// `\0alice\0secret`, base64.
let alicePlain = b64("\u{0}alice\u{0}secret")

@Suite("Session: AUTH (RFC 4954, RFC 4616)")
struct AuthTests {
    func authDriver(_ configuration: SMTPServerConfiguration = .auth) -> SessionDriver {
        var d = SessionDriver(configuration, client: .implicitTLS)
        d.send("EHLO c.example\r\n")
        return d
    }

    @Test func continuationKeepsItsSpace() {
        #expect(SMTPReply(334, nil, "").encode() == bytes("334 \r\n"))
        #expect(SMTPReply(250, nil, "").encode() == bytes("250\r\n"))
    }

    @Test func parserReadsAuth() {
        let parser = SMTPCommandParser(postmasterDomain: "example.org")
        #expect(parser.parse(bytes("auth plain")) == .success(.auth(mechanism: "PLAIN", initialResponse: nil)))
        #expect(parser.parse(bytes("AUTH PLAIN =")) == .success(.auth(mechanism: "PLAIN", initialResponse: "=")))
        #expect(parser.parse(bytes("AUTH LOGIN YWxpY2U=")) == .success(.auth(mechanism: "LOGIN", initialResponse: "YWxpY2U=")))
        #expect(parser.parse(bytes("AUTH")) == .failure(.badArguments("Syntax: AUTH <mechanism> [initial-response]")))
        #expect(parser.parse(bytes("AUTH PLAIN a b")) == .failure(.badArguments("Syntax: AUTH <mechanism> [initial-response]")))
        #expect(parser.parse(bytes("AUTH PL@IN")) == .failure(.badArguments("Syntax: AUTH <mechanism> [initial-response]")))
    }

    @Test func advertisedOnlyUnderTLS() throws {
        var plain = SessionDriver(.auth)
        let ehlo = try #require(plain.send("EHLO c.example\r\n").replies.first)
        #expect(!ehlo.lines.contains { $0.hasPrefix("AUTH") })
        // RFC 4954 §6: 538 5.7.11 before TLS.
        #expect(plain.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["538 5.7.11"])
        #expect(plain.effects.isEmpty)

        let tls = try #require(authDriver().log.replies.last)
        #expect(tls.lines.contains("AUTH PLAIN LOGIN"))

        var open = SessionDriver(
            .test {
                $0.authMechanisms = ["login", "CRAM-MD5", "plain"]
                $0.authRequiresTLS = false
            })
        let offered = try #require(open.send("EHLO c.example\r\n").replies.first)
        #expect(offered.lines.contains("AUTH LOGIN PLAIN"))

        var none = SessionDriver(client: .implicitTLS)
        let noAuth = try #require(none.send("EHLO c.example\r\n").replies.first)
        #expect(!noAuth.lines.contains { $0.hasPrefix("AUTH") })
        #expect(none.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["502 5.5.1"])
    }

    @Test func advertisedAfterSTARTTLS() throws {
        var d = SessionDriver(.auth)
        d.send("EHLO c.example\r\nSTARTTLS\r\n")
        d.tlsEstablished()
        let ehlo = try #require(d.send("EHLO c.example\r\n").replies.first)
        #expect(ehlo.lines.contains("AUTH PLAIN LOGIN"))
        #expect(d.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["235 2.7.0"])
        #expect(d.session.authenticatedUser == "alice")
    }

    @Test func plainWithInitialResponse() {
        var d = authDriver()
        let actions = d.send("AUTH PLAIN \(alicePlain)\r\n")
        #expect(actions.statuses == ["235 2.7.0"])
        #expect(d.effects == [.authenticate(SMTPAuthRequest(mechanism: "PLAIN", authcid: "alice", password: "secret"))])
        #expect(d.session.authenticatedUser == "alice")
    }

    @Test func plainWithoutInitialResponse() {
        var d = authDriver()
        #expect(d.send("AUTH PLAIN\r\n") == [.reply(SMTPReply(334, nil, ""))])
        #expect(d.send("\(b64("alice\u{0}alice\u{0}secret"))\r\n").statuses == ["235 2.7.0"])
        #expect(
            d.effects == [
                .authenticate(SMTPAuthRequest(mechanism: "PLAIN", authcid: "alice", password: "secret", authzid: "alice"))
            ])
    }

    @Test func plainMessagesThatAreNotCredentialsFailLikeWrongOnes() {
        var d = authDriver()
        // "=" is a zero-length initial response (RFC 4954 §4), not a request for a challenge; it
        // decodes, so it is refused credentials (535, as IMAP and POP3 answer), not bad syntax.
        #expect(d.send("AUTH PLAIN =\r\n").statuses == ["535 5.7.8"])
        #expect(d.send("AUTH PLAIN \(b64("alice\u{0}secret"))\r\n").statuses == ["535 5.7.8"])
        #expect(d.effects.isEmpty)
    }

    @Test func plainForeignAuthzidIsRefused() {
        var d = authDriver()
        #expect(d.send("AUTH PLAIN \(b64("bob\u{0}alice\u{0}secret"))\r\n").statuses == ["535 5.7.8"])
        #expect(d.effects.isEmpty)
        #expect(d.session.authenticatedUser == nil)
    }

    @Test func loginBothForms() {
        var d = authDriver()
        #expect(d.send("AUTH LOGIN\r\n") == [.reply(SMTPReply(334, nil, "VXNlcm5hbWU6"))])
        #expect(d.send("\(b64("alice"))\r\n") == [.reply(SMTPReply(334, nil, "UGFzc3dvcmQ6"))])
        #expect(d.send("\(b64("secret"))\r\n").statuses == ["235 2.7.0"])
        #expect(d.effects == [.authenticate(SMTPAuthRequest(mechanism: "LOGIN", authcid: "alice", password: "secret"))])

        var e = authDriver()
        #expect(e.send("AUTH LOGIN \(b64("alice"))\r\n") == [.reply(SMTPReply(334, nil, "UGFzc3dvcmQ6"))])
        #expect(e.send("\(b64("secret"))\r\n").statuses == ["235 2.7.0"])
        #expect(e.session.authenticatedUser == "alice")
    }

    @Test func cancel() {
        var d = authDriver()
        d.send("AUTH LOGIN\r\n")
        #expect(d.send("*\r\n").statuses == ["501 5.0.0"])
        d.send("AUTH PLAIN\r\n")
        #expect(d.send("*\r\n").statuses == ["501 5.0.0"])
        #expect(d.effects.isEmpty)
        // Back in command mode.
        #expect(d.send("NOOP\r\n").codes == [250])
    }

    @Test func badBase64() {
        var d = authDriver()
        #expect(d.send("AUTH PLAIN not-base64!\r\n").statuses == ["501 5.5.2"])
        d.send("AUTH LOGIN\r\n")
        #expect(d.send("YWxpY2U\r\n").statuses == ["501 5.5.2"])
        #expect(d.send("NOOP\r\n").codes == [250])
        #expect(d.effects.isEmpty)
    }

    @Test func unknownMechanism() {
        var d = authDriver()
        #expect(d.send("AUTH CRAM-MD5\r\n").statuses == ["504 5.5.4"])
        #expect(d.send("AUTH GSSAPI =\r\n").statuses == ["504 5.5.4"])
    }

    @Test func authTwiceAndDuringTransaction() {
        var d = authDriver()
        d.send("AUTH PLAIN \(alicePlain)\r\n")
        #expect(d.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["503 5.5.1"])

        var e = authDriver()
        e.send("MAIL FROM:<a@b.example>\r\n")
        #expect(e.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["503 5.5.1"])
        #expect(e.session.authenticatedUser == nil)

        var f = SessionDriver(.auth, client: .implicitTLS)
        #expect(f.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["503 5.5.1"])
        f.send("HELO c.example\r\n")
        #expect(f.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["503 5.5.1"])
    }

    @Test func failedCredentialsAndAdapterReplies() {
        var d = authDriver()
        #expect(d.send("AUTH PLAIN \(b64("\u{0}alice\u{0}wrong"))\r\n").statuses == ["535 5.7.8"])
        #expect(d.session.authenticatedUser == nil)
        // A second attempt after a failure is allowed.
        #expect(d.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["235 2.7.0"])

        // A success code in a plain reply does not authenticate.
        var e = SessionDriver(.auth, client: .implicitTLS) { _ in .reply(SMTPReply(250, nil, "fine")) }
        e.send("EHLO c.example\r\n")
        #expect(e.send("AUTH PLAIN \(alicePlain)\r\n").statuses == ["454 4.7.0"])
        #expect(e.session.authenticatedUser == nil)

        // .authenticated given to another effect is an internal error.
        var f = SessionDriver(client: .implicitTLS) { _ in .authenticated(user: "x") }
        f.send("EHLO c.example\r\n")
        #expect(f.send("MAIL FROM:<a@b.example>\r\n").statuses == ["451 4.3.0"])
    }

    @Test func failuresCountTowardMaxErrors() {
        var d = authDriver(.auth.with { $0.maxErrors = 2 })
        #expect(d.send("AUTH PLAIN \(b64("\u{0}alice\u{0}x"))\r\n").statuses == ["535 5.7.8"])
        d.send("AUTH LOGIN\r\n")
        #expect(d.send("*\r\n").statuses == ["501 5.0.0"])
        let last = d.send("AUTH PLAIN \(b64("\u{0}alice\u{0}y"))\r\n")
        #expect(last.statuses == ["421 4.7.0"])
        #expect(last.closes)
    }

    @Test func saslLineTooLong() {
        var d = authDriver()
        d.send("AUTH PLAIN\r\n")
        let long = String(repeating: "A", count: 12_300)
        #expect(d.send("\(long)\r\n").statuses == ["500 5.5.6"])
        #expect(d.send("NOOP\r\n").codes == [250])
        // A line within the bound is read whole.
        d.send("AUTH LOGIN\r\n")
        let user = b64(String(repeating: "u", count: 9000))
        #expect(d.send("\(user)\r\n").codes == [334])
    }

    @Test func stateSurvivesRSETAndEHLOButNotSTARTTLS() throws {
        var d = SessionDriver(.auth.with { $0.authRequiresTLS = false })
        d.send("EHLO c.example\r\nAUTH PLAIN \(alicePlain)\r\nRSET\r\nEHLO c.example\r\n")
        #expect(d.session.authenticatedUser == "alice")
        d.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nx\r\n.\r\n")
        #expect(try #require(d.messages.first).envelope.protocolName == "ESMTPA")
        d.send("STARTTLS\r\n")
        d.tlsEstablished()
        // RFC 3207 §4.2: the AUTH from before TLS is forgotten.
        #expect(d.session.authenticatedUser == nil)
        d.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\ny\r\n.\r\n")
        let env = try #require(d.messages.last).envelope
        #expect(env.protocolName == "ESMTPS")
        #expect(env.authenticatedUser == nil)
    }

    @Test func envelopeCarriesUserAndESMTPSA() throws {
        var d = authDriver()
        d.send("AUTH PLAIN \(alicePlain)\r\nMAIL FROM:<a@b.example> AUTH=<>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nhi\r\n.\r\n")
        let env = try #require(d.messages.first).envelope
        #expect(env.protocolName == "ESMTPSA")
        #expect(env.authenticatedUser == "alice")
        #expect(d.log.codes == [220, 250, 235, 250, 250, 354, 250])

        var l = SessionDriver(.auth.with { $0.mode = .lmtp }, client: .implicitTLS)
        l.send(
            "LHLO c.example\r\nAUTH PLAIN \(alicePlain)\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nhi\r\n.\r\n"
        )
        #expect(try #require(l.messages.first).envelope.protocolName == "LMTPSA")
    }

    @Test func mailAuthParameter() {
        let parser = SMTPCommandParser(postmasterDomain: "example.org", authEnabled: true)
        guard case .success(.mail(let m)) = parser.parse(bytes("MAIL FROM:<a@b.example> AUTH=alice+2Bx@b.example")) else {
            Issue.record("not parsed")
            return
        }
        #expect(m.auth == "alice+x@b.example")
        guard case .success(.mail(let n)) = parser.parse(bytes("MAIL FROM:<a@b.example> AUTH=<>")) else {
            Issue.record("not parsed")
            return
        }
        #expect(n.auth == "<>")
        #expect(
            parser.parse(bytes("MAIL FROM:<a@b.example> AUTH=a+ZZ")) == .failure(.badArguments("Syntax: AUTH=<xtext> or AUTH=<>"))
        )
        // Not offered: unknown parameter (RFC 5321 §4.1.1.11).
        let plain = SMTPCommandParser(postmasterDomain: "example.org")
        #expect(plain.parse(bytes("MAIL FROM:<a@b.example> AUTH=<>")) == .failure(.unknownParameter("AUTH")))
    }

    @Test func pipelinedCommandsAfterAuth() {
        var d = authDriver()
        let actions = d.send(
            "AUTH PLAIN \(alicePlain)\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n")
        #expect(actions.statuses == ["235 2.7.0", "250 2.1.0", "250 2.1.5", "354", "250 2.0.0", "221 2.0.0"])
        #expect(d.messages.first?.envelope.authenticatedUser == "alice")
    }

    @Test func splitAnywhereGivesTheSameActions() {
        let text = bytes(
            "EHLO c.example\r\nAUTH LOGIN\r\n\(b64("alice"))\r\n\(b64("wrong"))\r\nAUTH PLAIN\r\n*\r\nAUTH PLAIN\r\n\(alicePlain)\r\n"
                + "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n")
        var whole = SessionDriver(.auth, client: .implicitTLS)
        whole.send(text)
        var single = SessionDriver(.auth, client: .implicitTLS)
        for b in text { single.send([b]) }
        var rng = SeededGenerator(seed: 4954)
        var random = SessionDriver(.auth, client: .implicitTLS)
        var i = 0
        while i < text.count {
            let n = Int.random(in: 1...7, using: &rng)
            random.send(Array(text[i..<min(text.count, i + n)]))
            i += n
        }
        #expect(whole.log == single.log)
        #expect(whole.log == random.log)
        #expect(
            whole.log.statuses == [
                "220", "250", "334", "334", "535 5.7.8", "334", "501 5.0.0", "334", "235 2.7.0", "250 2.1.0", "250 2.1.5", "354",
                "250 2.0.0", "221 2.0.0",
            ])
    }

    @Test func requestHidesPassword() {
        let r = SMTPAuthRequest(mechanism: "PLAIN", authcid: "alice", password: "secret")
        #expect(!r.description.contains("secret"))
    }
}

extension SMTPServerConfiguration {
    func with(_ change: (inout SMTPServerConfiguration) -> Void) -> SMTPServerConfiguration {
        var c = self
        change(&c)
        return c
    }
}

@Suite("Session: failed AUTH attempts per connection")
struct AuthFailureLimitTests {
    @Test(
        "the third refused AUTH (wrong or throttled) is answered 421 4.7.0 and closes; refusals by the session itself do not count"
    )
    func closesAfterThirdFailure() {
        let throttled: SessionDriver.Responder = { effect in
            if case .authenticate(let request) = effect, request.password == "busy" {
                return .reply(SMTPReply(454, .init(4, 7, 0), "Too many failed logins, try again later"))
            }
            return SessionDriver.standard(effect)
        }
        var d = SessionDriver(.auth, client: .implicitTLS, responder: throttled)
        d.send("EHLO c.example\r\n")
        #expect(d.send("AUTH PLAIN \(b64("bob\u{0}alice\u{0}secret"))\r\n").statuses == ["535 5.7.8"])
        #expect(d.send("AUTH PLAIN \(b64("\u{0}alice\u{0}wrong"))\r\n").statuses == ["535 5.7.8"])
        #expect(d.send("AUTH PLAIN \(b64("\u{0}alice\u{0}busy"))\r\n").statuses == ["454 4.7.0"])
        let last = d.send("AUTH PLAIN \(b64("\u{0}alice\u{0}wrong"))\r\n")
        #expect(last.statuses == ["421 4.7.0"])
        #expect(last.closes)
        #expect(d.session.isClosed)
    }

    @Test("the limit is configurable")
    func configurable() {
        var d = SessionDriver(
            .test {
                $0.authMechanisms = ["PLAIN"]
                $0.maxAuthFailures = 1
            }, client: .implicitTLS)
        d.send("EHLO c.example\r\n")
        #expect(d.send("AUTH PLAIN \(b64("\u{0}alice\u{0}wrong"))\r\n").statuses == ["421 4.7.0"])
    }
}
