import Core
import Testing

@testable import SMTP

@Suite("Session: STARTTLS (RFC 3207)")
struct StartTLSTests {
    @Test func injectedCommandsAreDiscarded() throws {
        var d = SessionDriver()
        d.send("EHLO c.example\r\n")
        let actions = d.send("STARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.org>\r\n")
        #expect(actions == [.reply(SMTPReply(220, .init(2, 0, 0), "Ready to start TLS")), .startTLS])
        // Plaintext arriving before the handshake completes is ignored too.
        #expect(d.send("MAIL FROM:<evil2@attacker.example>\r\n").isEmpty)
        #expect(d.session.bufferedByteCount == 0)
        #expect(d.tlsEstablished().isEmpty)
        // Nothing injected is interpreted after TLS, and the old EHLO no longer counts.
        #expect(d.send("MAIL FROM:<a@b.example>\r\n").statuses == ["503 5.5.1"])
        #expect(d.effects.isEmpty)

        let ehlo = try #require(d.send("EHLO c.example\r\n").replies.first)
        #expect(!ehlo.lines.contains("STARTTLS"))
        #expect(d.send("STARTTLS\r\n").statuses == ["503 5.5.1"])
        d.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nsecret\r\n.\r\n")
        let env = try #require(d.messages.first?.envelope)
        #expect(env.protocolName == "ESMTPS")
        #expect(env.tls == .test)
        #expect(d.session.client.isTLS)
    }

    @Test func injectionSplitAcrossReceivesAndByteAtATime() {
        let text = bytes("EHLO c.example\r\nSTARTTLS\r\nNOOP\r\nQUIT\r\n")
        var whole = SessionDriver()
        whole.send(text)
        var single = SessionDriver()
        for b in text { single.send([b]) }
        #expect(whole.log == single.log)
        #expect(whole.log.codes == [220, 250, 220])
        #expect(!whole.session.isClosed)
    }

    @Test func lmtpSTARTTLSGivesLMTPS() throws {
        var d = SessionDriver(.test { $0.mode = .lmtp })
        d.send("LHLO c.example\r\nSTARTTLS\r\n")
        d.tlsEstablished()
        d.send("LHLO c.example\r\nMAIL FROM:<a@b.example> SMTPUTF8\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nx\r\n.\r\n")
        #expect(try #require(d.messages.first).envelope.protocolName == "UTF8LMTPS")
    }

    @Test func tlsEstablishedOutOfTurnIsIgnored() {
        var d = SessionDriver()
        d.send("EHLO c.example\r\n")
        #expect(d.tlsEstablished().isEmpty)
        #expect(!d.session.client.isTLS)
        #expect(d.send("MAIL FROM:<a@b.example>\r\n").codes == [250])
    }

    @Test func timeoutDuringHandshakeOnlyCloses() {
        var d = SessionDriver()
        d.send("EHLO c.example\r\nSTARTTLS\r\n")
        #expect(d.timeout() == [.close])
        #expect(d.session.isClosed)
    }
}
