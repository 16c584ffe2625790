import Testing

@testable import SMTP

/// Drives an `SMTPClientSession` with scripted server text and records what it sends.
struct ClientScript {
    var session: SMTPClientSession

    init(
        _ envelope: OutboundEnvelope = .twoRecipients, tls: SMTPClientTLSPolicy = .opportunistic,
        isTLS: Bool = false
    ) {
        session = SMTPClientSession(
            configuration: SMTPClientConfiguration(heloName: "client.example", tlsPolicy: tls, isTLS: isTLS),
            envelope: envelope)
    }

    mutating func server(_ text: String) -> [SMTPClientAction] { session.receive(Array(text.utf8)) }
}

extension OutboundEnvelope {
    static let twoRecipients = OutboundEnvelope(
        reversePath: "alice@posta.test",
        recipients: [OutboundRecipient(address: "bob@remote.test"), OutboundRecipient(address: "carol@remote.test")],
        size: 1234)
}

/// The bytes of every `.send` in `actions`, as text.
func sentText(_ actions: [SMTPClientAction]) -> String {
    var bytes: [UInt8] = []
    for case .send(let b) in actions { bytes += b }
    return String(decoding: bytes, as: UTF8.self)
}

func finishedResult(_ actions: [SMTPClientAction]) -> SMTPDeliveryResult? {
    for case .finished(let result) in actions { return result }
    return nil
}

let plainEHLO = "250-remote.test Hello\r\n250-SIZE 10000000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
let pipeliningEHLO = "250-remote.test\r\n250-PIPELINING\r\n250-SIZE\r\n250 ENHANCEDSTATUSCODES\r\n"

@Suite("SMTP client session")
struct ClientSessionTests {
    @Test("full dialog without PIPELINING, byte for byte")
    func sequentialDialog() throws {
        var s = ClientScript()
        #expect(s.session.waitState == .greeting)
        #expect(s.server("220 remote.test ESMTP\r\n") == [.send(Array("EHLO client.example\r\n".utf8))])
        #expect(s.server(plainEHLO) == [.send(Array("MAIL FROM:<alice@posta.test> SIZE=1234\r\n".utf8))])
        #expect(s.server("250 2.1.0 Ok\r\n") == [.send(Array("RCPT TO:<bob@remote.test>\r\n".utf8))])
        #expect(s.server("250 2.1.5 Ok\r\n") == [.send(Array("RCPT TO:<carol@remote.test>\r\n".utf8))])
        #expect(s.server("550 5.1.1 <carol@remote.test>: unknown user\r\n") == [.send(Array("DATA\r\n".utf8))])
        #expect(s.session.waitState == .data)
        #expect(s.server("354 End data with <CR><LF>.<CR><LF>\r\n") == [.sendMessageData])
        #expect(s.session.waitState == .dataTermination)
        let end = s.server("250 2.0.0 Ok: queued as ABC\r\n")
        #expect(sentText(end) == "QUIT\r\n")
        let result = try #require(finishedResult(end))
        #expect(
            result.recipients.map(\.outcome) == [
                .accepted(SMTPReply(250, .init(2, 0, 0), "Ok: queued as ABC")),
                .permanentFailure(SMTPReply(550, .init(5, 1, 1), "<carol@remote.test>: unknown user")),
            ])
        #expect(result.recipients.allSatisfy { $0.fromServer })
        #expect(result.usedTLS == false)
        #expect(s.server("221 2.0.0 Bye\r\n") == [.close])
        #expect(s.session.waitState == nil)
        #expect(s.server("250 late\r\n") == [])
    }

    @Test("PIPELINING: MAIL, RCPTs and DATA in one batch, replies matched in order")
    func pipelinedDialog() throws {
        var s = ClientScript()
        _ = s.server("220 remote.test\r\n")
        let batch = s.server(pipeliningEHLO)
        #expect(
            batch == [
                .send(
                    Array(
                        "MAIL FROM:<alice@posta.test> SIZE=1234\r\nRCPT TO:<bob@remote.test>\r\nRCPT TO:<carol@remote.test>\r\nDATA\r\n"
                            .utf8))
            ])
        #expect(s.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n450 4.2.1 try later\r\n354 go ahead\r\n") == [.sendMessageData])
        let end = s.server("250 2.0.0 queued\r\n")
        #expect(sentText(end) == "QUIT\r\n")
        let result = try #require(finishedResult(end))
        #expect(
            result.recipients.map(\.outcome) == [
                .accepted(SMTPReply(250, .init(2, 0, 0), "queued")),
                .temporaryFailure(SMTPReply(450, .init(4, 2, 1), "try later")),
            ])
        #expect(result.capabilities.pipelining)
    }

    @Test("PIPELINING replies split at every byte give the same actions")
    func pipelinedRepliesSplit() {
        let replies = Array("250 2.1.0 Ok\r\n250-2.1.5 first\r\n250 2.1.5 second\r\n250 Ok\r\n354 go\r\n".utf8)
        for cut in 0...replies.count {
            var s = ClientScript()
            _ = s.server("220 remote.test\r\n")
            _ = s.server(pipeliningEHLO)
            let actions = s.session.receive(Array(replies[..<cut])) + s.session.receive(Array(replies[cut...]))
            #expect(actions == [.sendMessageData], "cut at \(cut)")
        }
    }

    @Test("EHLO refused with 5xx falls back to HELO (RFC 5321 §3.2)")
    func heloFallback() throws {
        var s = ClientScript()
        _ = s.server("220 old.test\r\n")
        #expect(s.server("502 Command not implemented\r\n") == [.send(Array("HELO client.example\r\n".utf8))])
        #expect(s.session.waitState == .helo)
        #expect(s.server("250 old.test\r\n") == [.send(Array("MAIL FROM:<alice@posta.test>\r\n".utf8))])
        #expect(s.session.capabilities == SMTPClientCapabilities())
    }

    @Test("HELO refused too: every recipient fails with the reply")
    func heloRefused() throws {
        var s = ClientScript()
        _ = s.server("220 old.test\r\n")
        _ = s.server("500 no\r\n")
        let actions = s.server("554 go away\r\n")
        #expect(sentText(actions) == "QUIT\r\n")
        let result = try #require(finishedResult(actions))
        #expect(result.recipients.map(\.outcome) == Array(repeating: .permanentFailure(SMTPReply(554, nil, "go away")), count: 2))
    }

    @Test("greeting 554 ends the session with QUIT (RFC 5321 §3.1); 4xx EHLO is temporary")
    func badGreeting() throws {
        var s = ClientScript()
        let actions = s.server("554 5.7.1 no service\r\n")
        #expect(sentText(actions) == "QUIT\r\n")
        #expect(
            try #require(finishedResult(actions)).recipients.allSatisfy {
                if case .permanentFailure = $0.outcome { true } else { false }
            })
        var t = ClientScript()
        _ = t.server("220 x\r\n")
        let ehlo = t.server("451 4.3.0 busy\r\n")
        #expect(
            try #require(finishedResult(ehlo)).recipients.map(\.outcome)
                == Array(repeating: .temporaryFailure(SMTPReply(451, .init(4, 3, 0), "busy")), count: 2))
    }

    @Test("a multi-line EHLO reply split at every byte parses the same")
    func multilineSplitEverywhere() {
        let text = Array(
            "220 remote.test\r\n250-remote.test greets you\r\n250-PIPELINING\r\n250-SIZE 5000\r\n250-DSN\r\n250 8BITMIME\r\n".utf8
        )
        var whole = ClientScript()
        let expected = whole.session.receive(text)
        #expect(sentText(expected).hasPrefix("EHLO client.example\r\nMAIL FROM:<alice@posta.test> SIZE=1234\r\n"))
        for cut in 0...text.count {
            var s = ClientScript()
            let actions = s.session.receive(Array(text[..<cut])) + s.session.receive(Array(text[cut...]))
            #expect(actions == expected, "cut at \(cut)")
        }
        var bytewise = ClientScript()
        var actions: [SMTPClientAction] = []
        for byte in text { actions += bytewise.session.receive([byte]) }
        #expect(actions == expected)
        #expect(bytewise.session.capabilities.sizeLimit == 5000)
        #expect(bytewise.session.capabilities.dsn)
    }

    @Test("capabilities: keywords case-insensitive, SIZE with and without a limit")
    func capabilityParsing() {
        let reply = SMTPReply(
            code: 250,
            lines: [
                "mx.test Hello", "pipelining", "SIZE 35882577", "8bitmime", "STARTTLS", "SMTPUTF8", "DSN", "CHUNKING",
                "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN",
            ])
        let caps = SMTPClientCapabilities(ehloReply: reply)
        #expect(caps.pipelining && caps.eightBitMIME && caps.startTLS && caps.smtpUTF8 && caps.dsn && caps.chunking)
        #expect(caps.enhancedStatusCodes && caps.size)
        #expect(caps.sizeLimit == 35_882_577)
        #expect(caps.keywords["AUTH"] == "PLAIN LOGIN")
        #expect(!caps.offers("MX.TEST"))  // the greeting line is not a keyword
        let noLimit = SMTPClientCapabilities(ehloReply: SMTPReply(code: 250, lines: ["x", "SIZE"]))
        #expect(noLimit.size && noLimit.sizeLimit == nil)
        let zero = SMTPClientCapabilities(ehloReply: SMTPReply(code: 250, lines: ["x", "SIZE 0"]))
        #expect(zero.size && zero.sizeLimit == nil)
        #expect(!SMTPClientCapabilities(ehloReply: SMTPReply(code: 250, lines: ["only-greeting"])).pipelining)
    }

    @Test("reply parser: enhanced codes stripped from every line, code must stay the same")
    func replyParser() throws {
        var parser = SMTPClientReplyParser()
        let replies = try parser.parse(Array("550-5.1.1 first\r\n550 5.1.1 second\r\n220\r\n250 2.0.0\r\n".utf8))
        #expect(
            replies == [
                SMTPReply(code: 550, enhancedStatus: .init(5, 1, 1), lines: ["first", "second"]),
                SMTPReply(code: 220, lines: [""]),
                SMTPReply(code: 250, enhancedStatus: .init(2, 0, 0), lines: [""]),
            ])
        // A status whose class does not match the code is text.
        var other = SMTPClientReplyParser()
        #expect(try other.parse(Array("250 5.1.1 odd\r\n".utf8)) == [SMTPReply(code: 250, lines: ["5.1.1 odd"])])
        var mixed = SMTPClientReplyParser()
        #expect(throws: SMTPClientReplyParser.ParseError.inconsistentCode) { try mixed.parse(Array("250-a\r\n251 b\r\n".utf8)) }
        var junk = SMTPClientReplyParser()
        #expect(throws: SMTPClientReplyParser.ParseError.malformedLine) { try junk.parse(Array("hello\r\n".utf8)) }
        var sep = SMTPClientReplyParser()
        #expect(throws: SMTPClientReplyParser.ParseError.malformedLine) { try sep.parse(Array("250xok\r\n".utf8)) }
        var long = SMTPClientReplyParser(maxLineLength: 20)
        #expect(throws: SMTPClientReplyParser.ParseError.lineTooLong) {
            try long.parse(Array("250 ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 30))
        }
        var many = SMTPClientReplyParser(maxLines: 3)
        #expect(throws: SMTPClientReplyParser.ParseError.tooManyLines) {
            try many.parse(Array(String(repeating: "250-x\r\n", count: 4).utf8))
        }
    }

    @Test("an over-long reply line is a protocol error: temporary for all, close without QUIT")
    func protocolErrorFromLongLine() throws {
        var s = ClientScript()
        let actions = s.session.receive(Array("220 ".utf8) + Array(repeating: UInt8(ascii: "x"), count: 5000))
        #expect(actions.last == .close)
        #expect(sentText(actions) == "")
        let result = try #require(finishedResult(actions))
        #expect(result.recipients.count == 2)
        for r in result.recipients {
            guard case .temporaryFailure(let reply) = r.outcome else {
                Issue.record("not temporary")
                continue
            }
            #expect(reply.enhancedStatus == .init(4, 5, 0))
            #expect(!r.fromServer)
        }
        #expect(s.session.waitState == nil)
    }

    @Test("STARTTLS opportunistic: upgrade, forget the old capabilities, EHLO again (RFC 3207 §4.2)")
    func startTLSOpportunistic() throws {
        var s = ClientScript()
        _ = s.server("220 mx.test\r\n")
        #expect(s.server("250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n") == [.send(Array("STARTTLS\r\n".utf8))])
        #expect(s.server("220 2.0.0 Ready to start TLS\r\n") == [.startTLS])
        #expect(s.session.waitState == .tlsHandshake)
        #expect(s.session.tlsEstablished() == [.send(Array("EHLO client.example\r\n".utf8))])
        #expect(s.session.capabilities == SMTPClientCapabilities())
        // After TLS the server no longer offers PIPELINING or STARTTLS: one command at a time.
        #expect(s.server("250-mx.test\r\n250 8BITMIME\r\n") == [.send(Array("MAIL FROM:<alice@posta.test>\r\n".utf8))])
        _ = s.server("250 ok\r\n")
        _ = s.server("250 ok\r\n")
        _ = s.server("250 ok\r\n")
        #expect(s.server("354 go\r\n") == [.sendMessageData])
        let result = try #require(finishedResult(s.server("250 ok\r\n")))
        #expect(result.usedTLS)
    }

    @Test("STARTTLS required but not offered: temporary 4.7.4 failure, no MAIL")
    func startTLSRequiredMissing() throws {
        var s = ClientScript(tls: .required)
        _ = s.server("220 mx.test\r\n")
        let actions = s.server(plainEHLO)
        #expect(sentText(actions) == "QUIT\r\n")
        let result = try #require(finishedResult(actions))
        for r in result.recipients {
            guard case .temporaryFailure(let reply) = r.outcome else {
                Issue.record("not temporary")
                continue
            }
            #expect(reply.enhancedStatus == .init(4, 7, 4))
            #expect(!r.fromServer)
        }
    }

    @Test("STARTTLS refused: required fails, opportunistic carries on in plaintext")
    func startTLSRefused() throws {
        var required = ClientScript(tls: .required)
        _ = required.server("220 mx.test\r\n250-mx.test\r\n250 STARTTLS\r\n")
        let failed = required.server("454 4.7.0 TLS not available\r\n")
        #expect(sentText(failed) == "QUIT\r\n")
        let outcome = try #require(finishedResult(failed)).recipients[0].outcome
        guard case .temporaryFailure(let reply) = outcome else {
            Issue.record("not temporary")
            return
        }
        #expect(reply.lines[0].contains("TLS not available"))

        var opportunistic = ClientScript()
        _ = opportunistic.server("220 mx.test\r\n250-mx.test\r\n250 STARTTLS\r\n")
        #expect(sentText(opportunistic.server("454 4.7.0 TLS not available\r\n")) == "MAIL FROM:<alice@posta.test>\r\n")
    }

    @Test("STARTTLS not sent with policy none or when already on TLS; required is satisfied by implicit TLS")
    func startTLSNotSent() {
        var none = ClientScript(tls: .none)
        #expect(
            sentText(none.server("220 mx\r\n250-mx\r\n250 STARTTLS\r\n"))
                == "EHLO client.example\r\nMAIL FROM:<alice@posta.test>\r\n")
        var implicit = ClientScript(tls: .required, isTLS: true)
        #expect(
            sentText(implicit.server("220 mx\r\n250-mx\r\n250 STARTTLS\r\n"))
                == "EHLO client.example\r\nMAIL FROM:<alice@posta.test>\r\n")
        #expect(implicit.session.result.usedTLS)
    }

    @Test("bytes after the STARTTLS 220 are refused (command injection, RFC 3207 §4.2)")
    func startTLSInjection() throws {
        var s = ClientScript()
        _ = s.server("220 mx.test\r\n250-mx.test\r\n250 STARTTLS\r\n")
        let actions = s.server("220 go\r\n250 injected\r\n")
        #expect(!actions.contains(.startTLS))
        #expect(actions.last == .close)
        var partial = ClientScript()
        _ = partial.server("220 mx.test\r\n250-mx.test\r\n250 STARTTLS\r\n")
        #expect(!partial.server("220 go\r\n25").contains(.startTLS))
    }

    @Test("SIZE: parameter when offered, local refusal above the announced limit (RFC 1870 §6)")
    func sizeRules() throws {
        var big = ClientScript(OutboundEnvelope(reversePath: "", recipients: [.init(address: "a@b.test")], size: 6000))
        _ = big.server("220 mx\r\n")
        let actions = big.server("250-mx\r\n250 SIZE 5000\r\n")
        #expect(sentText(actions) == "QUIT\r\n")
        #expect(try #require(finishedResult(actions)).recipients[0].outcome.reply.enhancedStatus == .init(5, 3, 4))
        var ok = ClientScript(OutboundEnvelope(reversePath: "", recipients: [.init(address: "a@b.test")], size: 5000))
        _ = ok.server("220 mx\r\n")
        #expect(sentText(ok.server("250-mx\r\n250 SIZE 5000\r\n")) == "MAIL FROM:<> SIZE=5000\r\n")
    }

    @Test("8BITMIME: BODY=8BITMIME when offered, 5.6.3 refusal when not (RFC 6152 §3)")
    func eightBitRules() throws {
        let envelope = OutboundEnvelope(
            reversePath: "a@p.test", recipients: [.init(address: "b@r.test")], size: 10, body8bit: true)
        var offered = ClientScript(envelope)
        #expect(
            sentText(offered.server("220 mx\r\n250-mx\r\n250 8BITMIME\r\n")).hasSuffix("MAIL FROM:<a@p.test> BODY=8BITMIME\r\n"))
        var missing = ClientScript(envelope)
        let actions = missing.server("220 mx\r\n250 mx\r\n")
        #expect(sentText(actions) == "EHLO client.example\r\nQUIT\r\n")
        let outcome = try #require(finishedResult(actions)).recipients[0].outcome
        guard case .permanentFailure(let reply) = outcome else {
            Issue.record("not permanent")
            return
        }
        #expect(reply.enhancedStatus == .init(5, 6, 3))
        // 7-bit content never carries BODY=.
        var plain = ClientScript(OutboundEnvelope(reversePath: "a@p.test", recipients: [.init(address: "b@r.test")], size: 10))
        #expect(sentText(plain.server("220 mx\r\n250-mx\r\n250 8BITMIME\r\n")).hasSuffix("MAIL FROM:<a@p.test>\r\n"))
    }

    @Test("SMTPUTF8: parameter when offered, 5.6.7 refusal when not (RFC 6531)")
    func smtpUTF8Rules() throws {
        let envelope = OutboundEnvelope(
            reversePath: "jörg@p.test", recipients: [.init(address: "b@r.test")], size: 10, smtpUTF8: true)
        var offered = ClientScript(envelope)
        #expect(
            sentText(offered.server("220 mx\r\n250-mx\r\n250 SMTPUTF8\r\n")).hasSuffix("MAIL FROM:<jörg@p.test> SMTPUTF8\r\n"))
        var missing = ClientScript(envelope)
        let outcome = try #require(finishedResult(missing.server("220 mx\r\n250 mx\r\n"))).recipients[0].outcome
        guard case .permanentFailure(let reply) = outcome else {
            Issue.record("not permanent")
            return
        }
        #expect(reply.enhancedStatus == .init(5, 6, 7))
    }

    @Test("DSN parameters only when DSN is offered (RFC 3461 §5), xtext-encoded")
    func dsnRules() {
        let envelope = OutboundEnvelope(
            reversePath: "a@p.test",
            recipients: [
                .init(
                    address: "b@r.test", notify: [.failure, .success],
                    orcpt: .init(addressType: "rfc822", address: "b+x=y@r.test")),
                .init(address: "c@r.test", notify: .never, orcpt: .init(addressType: "rfc822", address: "c@r.test")),
                .init(address: "d@r.test", orcpt: .init(addressType: "bad type", address: "x")),
            ],
            size: 10, dsnRet: .headers, dsnEnvID: "id 1+2")
        var offered = ClientScript(envelope)
        #expect(
            sentText(offered.server("220 mx\r\n250-mx\r\n250-PIPELINING\r\n250 DSN\r\n"))
                == "EHLO client.example\r\nMAIL FROM:<a@p.test> RET=HDRS ENVID=id+201+2B2\r\n"
                + "RCPT TO:<b@r.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx+3Dy@r.test\r\n"
                + "RCPT TO:<c@r.test> NOTIFY=NEVER ORCPT=rfc822;c@r.test\r\n"
                + "RCPT TO:<d@r.test>\r\nDATA\r\n")
        var missing = ClientScript(envelope)
        #expect(
            sentText(missing.server("220 mx\r\n250-mx\r\n250 PIPELINING\r\n"))
                == "EHLO client.example\r\nMAIL FROM:<a@p.test>\r\nRCPT TO:<b@r.test>\r\nRCPT TO:<c@r.test>\r\nRCPT TO:<d@r.test>\r\nDATA\r\n"
        )
    }

    @Test("421 mid-session: every unfinished recipient fails temporarily, no QUIT")
    func serviceClosing() throws {
        var s = ClientScript(
            OutboundEnvelope(
                reversePath: "a@p.test",
                recipients: [.init(address: "x@r.test"), .init(address: "y@r.test"), .init(address: "z@r.test")], size: 1))
        _ = s.server("220 mx\r\n250 mx\r\n250 ok\r\n")
        _ = s.server("550 5.1.1 no such user\r\n")
        let actions = s.server("421 4.3.2 shutting down\r\n")
        #expect(sentText(actions) == "")
        #expect(actions.last == .close)
        let result = try #require(finishedResult(actions))
        #expect(
            result.recipients.map(\.outcome) == [
                .permanentFailure(SMTPReply(550, .init(5, 1, 1), "no such user")),
                .temporaryFailure(SMTPReply(421, .init(4, 3, 2), "shutting down")),
                .temporaryFailure(SMTPReply(421, .init(4, 3, 2), "shutting down")),
            ])
        #expect(s.session.waitState == nil)
    }

    @Test("MAIL rejected: the reply applies to every recipient (with and without PIPELINING)")
    func mailRejected() throws {
        var s = ClientScript()
        _ = s.server("220 mx\r\n250 mx\r\n")
        let actions = s.server("553 5.7.1 sender rejected\r\n")
        #expect(sentText(actions) == "QUIT\r\n")
        #expect(
            try #require(finishedResult(actions)).recipients.map(\.outcome)
                == Array(repeating: .permanentFailure(SMTPReply(553, .init(5, 7, 1), "sender rejected")), count: 2))

        var p = ClientScript()
        _ = p.server("220 mx\r\n" + pipeliningEHLO)
        #expect(p.server("451 4.3.0 try again\r\n503 5.5.1 need MAIL\r\n503 5.5.1 need MAIL\r\n") == [])
        let end = p.server("503 5.5.1 no valid recipients\r\n")
        #expect(sentText(end) == "QUIT\r\n")
        #expect(
            try #require(finishedResult(end)).recipients.map(\.outcome)
                == Array(repeating: .temporaryFailure(SMTPReply(451, .init(4, 3, 0), "try again")), count: 2))
    }

    @Test("DATA rejected: the reply applies to recipients accepted at RCPT only")
    func dataRejected() throws {
        var s = ClientScript()
        _ = s.server("220 mx\r\n" + pipeliningEHLO)
        let actions = s.server("250 ok\r\n550 5.1.1 unknown\r\n250 ok\r\n451 4.3.0 local problem\r\n")
        #expect(sentText(actions) == "QUIT\r\n")
        #expect(
            try #require(finishedResult(actions)).recipients.map(\.outcome) == [
                .permanentFailure(SMTPReply(550, .init(5, 1, 1), "unknown")),
                .temporaryFailure(SMTPReply(451, .init(4, 3, 0), "local problem")),
            ])
    }

    @Test("final dot rejected: permanent for every recipient accepted at RCPT")
    func dotRejected() throws {
        var s = ClientScript()
        _ = s.server("220 mx\r\n" + pipeliningEHLO)
        #expect(s.server("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n") == [.sendMessageData])
        let actions = s.server("554 5.7.1 spam\r\n")
        #expect(
            try #require(finishedResult(actions)).recipients.map(\.outcome)
                == Array(repeating: .permanentFailure(SMTPReply(554, .init(5, 7, 1), "spam")), count: 2))
    }

    @Test("every RCPT rejected: no DATA without PIPELINING; a 354 anyway gets a lone dot")
    func noValidRecipients() throws {
        var s = ClientScript()
        _ = s.server("220 mx\r\n250 mx\r\n250 ok\r\n")
        #expect(sentText(s.server("550 no\r\n")) == "RCPT TO:<carol@remote.test>\r\n")
        let end = s.server("550 no\r\n")
        #expect(sentText(end) == "QUIT\r\n")
        #expect(finishedResult(end) != nil)

        var p = ClientScript()
        _ = p.server("220 mx\r\n" + pipeliningEHLO)
        let actions = p.server("250 ok\r\n550 no\r\n550 no\r\n354 go\r\n")
        #expect(actions == [.send(Array(".\r\n".utf8))])
        let after = p.server("250 ok\r\n")
        #expect(sentText(after) == "QUIT\r\n")
        #expect(
            try #require(finishedResult(after)).recipients.map(\.outcome)
                == Array(repeating: .permanentFailure(SMTPReply(550, nil, "no")), count: 2))
    }

    @Test("connection closed or timed out: unfinished recipients fail temporarily, finished keep theirs")
    func closeAndTimeout() throws {
        var s = ClientScript()
        _ = s.server("220 mx\r\n250 mx\r\n250 ok\r\n")
        _ = s.server("550 5.1.1 unknown\r\n")
        let actions = s.session.connectionClosed()
        #expect(actions.last == .close)
        let result = try #require(finishedResult(actions))
        #expect(result.recipients[0].outcome == .permanentFailure(SMTPReply(550, .init(5, 1, 1), "unknown")))
        guard case .temporaryFailure = result.recipients[1].outcome else {
            Issue.record("not temporary")
            return
        }
        #expect(!result.recipients[1].fromServer)
        #expect(s.session.connectionClosed() == [])

        var t = ClientScript()
        _ = t.server("220 mx\r\n" + pipeliningEHLO + "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n")
        let timeout = t.session.timedOut()
        let outcome = try #require(finishedResult(timeout)).recipients[0].outcome
        guard case .temporaryFailure(let reply) = outcome else {
            Issue.record("not temporary")
            return
        }
        #expect(reply.lines[0].contains("dataTermination"))
        // A timeout waiting for the QUIT reply only closes.
        var q = ClientScript()
        _ = q.server("220 mx\r\n" + pipeliningEHLO + "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n")
        #expect(q.session.timedOut() == [.close])
    }

    @Test("paths that could break the command line are never sent")
    func unsafePaths() throws {
        var s = ClientScript(
            OutboundEnvelope(
                reversePath: "a@p.test",
                recipients: [.init(address: "x@r.test>\r\nRSET"), .init(address: "y@r.test")], size: 1))
        let sent = sentText(s.server("220 mx\r\n" + pipeliningEHLO))
        #expect(sent == "EHLO client.example\r\nMAIL FROM:<a@p.test> SIZE=1\r\nRCPT TO:<y@r.test>\r\nDATA\r\n")
        _ = s.server("250 ok\r\n250 ok\r\n354 go\r\n")
        let result = try #require(finishedResult(s.server("250 ok\r\n")))
        #expect(result.recipients[0].outcome.reply.enhancedStatus == .init(5, 1, 3))
        #expect(result.recipients[1].outcome == .accepted(SMTPReply(250, nil, "ok")))

        var bad = ClientScript(OutboundEnvelope(reversePath: "a@p>\nX", recipients: [.init(address: "y@r.test")], size: 1))
        let actions = bad.server("220 mx\r\n250 mx\r\n")
        #expect(sentText(actions) == "EHLO client.example\r\nQUIT\r\n")
        #expect(try #require(finishedResult(actions)).recipients[0].outcome.reply.enhancedStatus == .init(5, 1, 7))
    }

    @Test("a reply of the wrong kind (354 to RCPT, 2xx to DATA, plaintext during TLS) is a protocol error")
    func unexpectedReplies() throws {
        var s = ClientScript()
        _ = s.server("220 mx\r\n250 mx\r\n250 ok\r\n")
        let actions = s.server("354 go\r\n")
        #expect(actions.last == .close && !actions.contains(.sendMessageData))
        #expect(try #require(finishedResult(actions)).recipients.allSatisfy { $0.outcome.reply.enhancedStatus == .init(4, 5, 0) })

        var d = ClientScript()
        _ = d.server("220 mx\r\n" + pipeliningEHLO)
        #expect(d.server("250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n").last == .close)

        var t = ClientScript()
        _ = t.server("220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n")
        #expect(t.server("250 sneaky\r\n").last == .close)
        #expect(t.session.tlsEstablished() == [])
    }
}
