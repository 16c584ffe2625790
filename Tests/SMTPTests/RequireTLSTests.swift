import Core
import Testing

@testable import SMTP

@Suite("REQUIRETLS (RFC 8689): server session")
struct RequireTLSServerTests {
    @Test func advertisedAndAcceptedOnlyOverTLS() throws {
        var d = SessionDriver(.test { $0.startTLSAvailable = true })
        let plain = try #require(d.send("EHLO c.example\r\n").replies.first)
        #expect(!plain.lines.contains("REQUIRETLS"))
        // RFC 8689 §4.1: over cleartext the parameter is refused with 5.7.10.
        #expect(d.send("MAIL FROM:<a@b.example> REQUIRETLS\r\n").statuses == ["530 5.7.10"])
        d.send("STARTTLS\r\n")
        d.tlsEstablished()
        let secure = try #require(d.send("EHLO c.example\r\n").replies.first)
        #expect(secure.lines.contains("REQUIRETLS"))
        d.send("MAIL FROM:<a@b.example> REQUIRETLS\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nx\r\n.\r\n")
        #expect(try #require(d.messages.first).envelope.requireTLS)
    }

    @Test func aMessageWithoutTheParameterDoesNotRequireTLS() throws {
        var d = SessionDriver(.test { $0.startTLSAvailable = true })
        d.send("EHLO c.example\r\nSTARTTLS\r\n")
        d.tlsEstablished()
        d.send("EHLO c.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nx\r\n.\r\n")
        #expect(try #require(d.messages.first).envelope.requireTLS == false)
    }

    @Test func theParameterTakesNoValueAndLMTPDoesNotKnowIt() {
        var d = SessionDriver(.test { $0.startTLSAvailable = true })
        d.send("EHLO c.example\r\nSTARTTLS\r\n")
        d.tlsEstablished()
        d.send("EHLO c.example\r\n")
        #expect(d.send("MAIL FROM:<a@b.example> REQUIRETLS=YES\r\n").codes == [501])
        var lmtp = SessionDriver(.test { $0.mode = .lmtp })
        lmtp.send("LHLO c.example\r\n")
        #expect(lmtp.send("MAIL FROM:<a@b.example> REQUIRETLS\r\n").codes == [555])
    }
}

@Suite("REQUIRETLS (RFC 8689): client session")
struct RequireTLSClientTests {
    static var envelope: OutboundEnvelope {
        var envelope = OutboundEnvelope.twoRecipients
        envelope.requireTLS = true
        return envelope
    }

    @Test func sentToAServerThatOffersIt() {
        var s = ClientScript(Self.envelope, tls: .required, isTLS: true)
        _ = s.server("220 remote.test\r\n")
        let mail = s.server("250-remote.test\r\n250-REQUIRETLS\r\n250 ENHANCEDSTATUSCODES\r\n")
        #expect(sentText(mail) == "MAIL FROM:<alice@posta.test> REQUIRETLS\r\n")
    }

    @Test func aServerWithoutItGetsNothingAndEveryRecipientFailsWith5710() throws {
        var s = ClientScript(Self.envelope, tls: .required, isTLS: true)
        _ = s.server("220 remote.test\r\n")
        let actions = s.server(plainEHLO)
        #expect(!sentText(actions).contains("MAIL"))
        let result = try #require(finishedResult(actions))
        #expect(result.recipients.count == 2 && result.refusedForRequireTLS)
        #expect(result.recipients.allSatisfy { $0.outcome.reply.enhancedStatus == .init(5, 7, 10) })
    }

    @Test func neverOverCleartext() throws {
        var s = ClientScript(Self.envelope, tls: .none)
        _ = s.server("220 remote.test\r\n")
        let actions = s.server("250-remote.test\r\n250 REQUIRETLS\r\n")
        #expect(!sentText(actions).contains("MAIL"))
        #expect(try #require(finishedResult(actions)).refusedForRequireTLS)
    }
}

@Suite("REQUIRETLS (RFC 8689 §5): TLS-Required header field and outcomes")
struct RequireTLSOutboundTests {
    @Test func tlsRequiredNoIsFoundInTheHeaderOnly() {
        func check(_ text: String) -> Bool { OutboundDelivery.saysTLSRequiredNo(Array(text.utf8)) }
        #expect(check("From: a@b.example\r\nTLS-Required: No\r\n\r\nbody"))
        #expect(check("tls-required:\r\n  no \r\nSubject: x\r\n\r\n"))
        #expect(!check("From: a@b.example\r\nTLS-Required: yes\r\n\r\n"))
        #expect(!check("From: a@b.example\r\n\r\nTLS-Required: No\r\n"))
        #expect(!check(""))
    }

    @Test func outcomesByProblemKind() {
        #expect(
            OutboundDelivery.ProblemKind.requireTLS.outcome("x") == .failed(DeliveryReply(550, .init(5, 7, 10), "x")))
        #expect(OutboundDelivery.ProblemKind.dane.outcome("x") == .deferred(DeliveryReply(451, .init(4, 7, 5), "x")))
    }

    @Test func theMessagesRequestAdjustsTheDomainsChoice() {
        let verified = OutboundDelivery.TLSChoice(policy: .required, verified: true)
        let opportunistic = OutboundDelivery.TLSChoice(policy: .opportunistic, verified: false)
        #expect(OutboundDelivery.TLSRequest.optional.adjust(verified, relay: false) == opportunistic)
        #expect(OutboundDelivery.TLSRequest.optional.adjust(verified, relay: true) == verified)
        #expect(OutboundDelivery.TLSRequest.required.adjust(opportunistic, relay: true) == verified)
    }
}
