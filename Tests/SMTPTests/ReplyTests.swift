import Core
import Testing

@testable import SMTP

@Suite("SMTP replies (RFC 5321 §4.2, RFC 2034)")
struct ReplyTests {
    @Test func singleLineWithEnhancedCode() {
        #expect(SMTPReply(250, .init(2, 1, 0), "Sender OK").encode() == bytes("250 2.1.0 Sender OK\r\n"))
        #expect(SMTPReply(220, nil, "mx.example.org ESMTP").encode() == bytes("220 mx.example.org ESMTP\r\n"))
    }

    @Test func multiLineUsesHyphenUntilTheLastLine() {
        let reply = SMTPReply(code: 250, enhancedStatus: nil, lines: ["mx.example.org", "PIPELINING", "DSN"])
        #expect(reply.encode() == bytes("250-mx.example.org\r\n250-PIPELINING\r\n250 DSN\r\n"))
        let withCode = SMTPReply(code: 214, enhancedStatus: .init(2, 0, 0), lines: ["a", "b"])
        #expect(withCode.encode() == bytes("214-2.0.0 a\r\n214 2.0.0 b\r\n"))
    }

    @Test func emptyTextAndNoLines() {
        #expect(SMTPReply(code: 250, lines: []).encode() == bytes("250\r\n"))
        #expect(SMTPReply(code: 250, enhancedStatus: .init(2, 0, 0), lines: [""]).encode() == bytes("250 2.0.0\r\n"))
        #expect(SMTPReply(code: 250, lines: ["", "x"]).encode() == bytes("250-\r\n250 x\r\n"))
    }

    @Test func controlCharactersCannotSplitAReply() {
        let reply = SMTPReply(550, .init(5, 1, 1), "evil\r\n250 OK\u{0}")
        #expect(reply.encode() == bytes("550 5.1.1 evil  250 OK \r\n"))
    }

    @Test func classification() {
        #expect(SMTPReply(250, nil, "").isPositiveCompletion)
        #expect(SMTPReply(354, nil, "").isPositiveIntermediate)
        #expect(SMTPReply(451, nil, "").isTransientFailure)
        #expect(SMTPReply(554, nil, "").isPermanentFailure)
    }

    @Test func enhancedStatusParsing() {
        #expect(SMTPEnhancedStatusCode(parsing: "5.7.1") == .init(5, 7, 1))
        #expect(SMTPEnhancedStatusCode(parsing: "2.0.0")?.description == "2.0.0")
        for bad in ["3.0.0", "5.1", "5.1.1.1", "5.x.1", "", "5.1000.1"] {
            #expect(SMTPEnhancedStatusCode(parsing: bad) == nil, "\(bad)")
        }
    }
}

@Suite("xtext (RFC 3461 §4)")
struct XTextTests {
    @Test func decodes() {
        #expect(XText.decode("QQ314159+2B1") == "QQ314159+1")
        #expect(XText.decode("a+3Db") == "a=b")
        #expect(XText.decode("plain") == "plain")
        #expect(XText.decode("+c3+a9") == "é")  // lower-case hex accepted
        #expect(XText.decode("") == "")
    }

    @Test(arguments: ["a=b", "a+2", "a+", "a+ZZ", "a b", "é", "a\u{7F}", "+FF"])
    func refuses(text: String) {
        #expect(XText.decode(text) == nil)
    }

    @Test func roundTrips() {
        for text in ["a+b=c d", "Bob@example.org", "ü", ""] {
            #expect(XText.decode(XText.encode(text)) == text)
        }
        #expect(XText.encode("a+b=c d") == "a+2Bb+3Dc+20d")
    }
}

@Suite("Received protocol names (RFC 3848, RFC 6531 §3.7.3)")
struct ProtocolNameTests {
    @Test func names() {
        #expect(SMTPProtocolName.make(greeting: .helo, smtpUTF8: false, tls: false, authenticated: false) == "SMTP")
        #expect(SMTPProtocolName.make(greeting: .ehlo, smtpUTF8: false, tls: false, authenticated: false) == "ESMTP")
        #expect(SMTPProtocolName.make(greeting: .ehlo, smtpUTF8: false, tls: true, authenticated: false) == "ESMTPS")
        #expect(SMTPProtocolName.make(greeting: .ehlo, smtpUTF8: false, tls: false, authenticated: true) == "ESMTPA")
        #expect(SMTPProtocolName.make(greeting: .ehlo, smtpUTF8: false, tls: true, authenticated: true) == "ESMTPSA")
        #expect(SMTPProtocolName.make(greeting: .ehlo, smtpUTF8: true, tls: false, authenticated: false) == "UTF8SMTP")
        #expect(SMTPProtocolName.make(greeting: .ehlo, smtpUTF8: true, tls: true, authenticated: false) == "UTF8SMTPS")
        #expect(SMTPProtocolName.make(greeting: .lhlo, smtpUTF8: false, tls: false, authenticated: false) == "LMTP")
        #expect(SMTPProtocolName.make(greeting: .lhlo, smtpUTF8: false, tls: true, authenticated: false) == "LMTPS")
        #expect(SMTPProtocolName.make(greeting: .lhlo, smtpUTF8: true, tls: true, authenticated: true) == "UTF8LMTPSA")
    }
}
