import Core
import Testing

@testable import SMTP

@Suite("DATA decoding: end marker and dot-stuffing (RFC 5321 §4.5.2)")
struct DotDecoderTests {
    /// Decodes `input` in one go; returns the content and how many bytes were used.
    func decode(_ input: [UInt8]) -> (content: [UInt8], consumed: Int, finished: Bool) {
        var decoder = SMTPDotDecoder()
        var out: [UInt8] = []
        let (consumed, finished) = decoder.decode(input[...], into: &out)
        return (out, consumed, finished)
    }

    @Test func endsAtCRLFDotCRLFKeepingTheFinalCRLF() {
        let r = decode(bytes("Subject: x\r\n\r\nhello\r\n.\r\nNOOP\r\n"))
        #expect(r.content == bytes("Subject: x\r\n\r\nhello\r\n"))
        #expect(r.finished)
        #expect(r.consumed == "Subject: x\r\n\r\nhello\r\n.\r\n".utf8.count)
    }

    @Test func theStartOfTheContentCountsAsALineStart() {
        let r = decode(bytes(".\r\nNOOP\r\n"))
        #expect(r.content.isEmpty && r.finished && r.consumed == 3)
        #expect(decode(bytes("..a\r\n.\r\n")).content == bytes(".a\r\n"))
    }

    @Test func unstuffsLeadingDots() {
        #expect(decode(bytes("a\r\n..\r\n...x\r\n.y\r\n.\r\n")).content == bytes("a\r\n.\r\n..x\r\ny\r\n"))
        // A dot that is not at a line start is content.
        #expect(decode(bytes("a.b\r\nc..\r\n.\r\n")).content == bytes("a.b\r\nc..\r\n"))
    }

    @Test(
        "smuggling-shaped sequences are content, byte for byte",
        arguments: ["\n.\n", "\r.\n", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n.\r", "\r\n.\r\r\n", "\r\n.\r", "\r\r\n.\n"])
    func smugglingIsContent(variant: String) {
        let input = bytes("data" + variant + "MAIL FROM:<x@y.example>\r\nmore\r\n.\r\n")
        let r = decode(input)
        #expect(r.finished)
        #expect(r.consumed == input.count)
        #expect(r.content == bytes("data" + variant + "MAIL FROM:<x@y.example>\r\nmore\r\n"))
    }

    @Test func everySplitGivesTheSameContent() {
        let input = bytes("a\r\n..b\r\n.\rx\r\n.\nq\r\n\r\n.\r\n")
        let whole = decode(input)
        for i in 0...input.count {
            var decoder = SMTPDotDecoder()
            var out: [UInt8] = []
            let first = decoder.decode(input[..<i], into: &out)
            if first.finished {
                #expect(out == whole.content)
                continue
            }
            let second = decoder.decode(input[i...], into: &out)
            #expect(out == whole.content)
            #expect(second.finished && first.consumed + second.consumed == whole.consumed)
        }
    }

    @Test func eightBitAndNULPassThrough() {
        let content: [UInt8] = [0xC3, 0xA9, 0x00, 0xFF, 13, 10]
        #expect(decode(content + bytes(".\r\n")).content == content)
    }
}

@Suite("Received: counting (RFC 5321 §6.3)")
struct ReceivedHeaderCounterTests {
    func count(_ text: String, limit: Int = 100) -> (count: Int, breach: Int?) {
        var counter = ReceivedHeaderCounter()
        let b = bytes(text)
        let breach = counter.scan(b[...], limit: limit)
        return (counter.count, breach)
    }

    @Test func countsOnlyReceivedFieldsInTheHeader() {
        let message = """
            Received: from a by b\r
            \tcontinued; Received: inside a continuation\r
            RECEIVED: from c\r
            received   : obsolete spacing\r
            Received-SPF: pass\r
            X-Received: by x\r
            Subject: Received: no\r
            \r
            Received: in the body\r\n
            """
        #expect(count(message).count == 3)
    }

    @Test func bareLFLinesAndCRLFEmptyLine() {
        #expect(count("Received: a\nReceived: b\n\nReceived: c\n").count == 2)
        #expect(count("Received: a\r\n\r\nReceived: c\r\n").count == 1)
    }

    @Test func reportsTheBreachingByte() {
        let text = "Received: a\r\nReceived: b\r\n"
        let r = count(text, limit: 1)
        #expect(r.count == 2)
        #expect(r.breach == text.utf8.count - 5)  // the colon of the second field
    }
}

@Suite("Command parsing")
struct CommandParserTests {
    let parser = SMTPCommandParser(postmasterDomain: "mx.example.org")

    func parse(_ line: String) -> Result<SMTPCommand, SMTPSyntaxError> { parser.parse(bytes(line)) }

    @Test func verbsAreCaseInsensitive() {
        #expect(parse("ehlo client.example") == .success(.ehlo("client.example")))
        #expect(parse("QuIt") == .success(.quit))
        #expect(parse("data") == .success(.data))
        #expect(parse("NOOP anything at all") == .success(.noop))
        #expect(parse("STARTTLS") == .success(.startTLS))
        #expect(parse("bdat 100 last") == .success(.bdat(size: 100, last: true)))
        #expect(parse("BDAT 0") == .success(.bdat(size: 0, last: false)))
        #expect(parse("HELP") == .success(.help(nil)))
        #expect(parse("VRFY bob") == .success(.vrfy("bob")))
    }

    @Test func helloArguments() {
        #expect(parse("HELO [192.0.2.1]") == .success(.helo("[192.0.2.1]")))
        #expect(parse("EHLO my_pc.local") == .success(.ehlo("my_pc.local")))
        #expect(parse("LHLO lmtp.example") == .success(.lhlo("lmtp.example")))
        for bad in ["EHLO", "EHLO a b", "EHLO a<b", "HELO []", "HELO [a]b", "EHLO a;b"] {
            #expect(
                parse(bad)
                    == .failure(.badArguments(bad.hasPrefix("EHLO") ? "Syntax: EHLO <hostname>" : "Syntax: HELO <hostname>")),
                "\(bad)")
        }
    }

    @Test func mailAndRecipientForms() throws {
        let alice = try MailAddress(parsing: "alice@example.org")
        for line in [
            "MAIL FROM:<alice@example.org>", "mail from:<alice@example.org>", "MAIL FROM: <alice@example.org>",
            "MAIL FROM:alice@example.org", "MAIL FROM:<@relay.example:alice@example.org>",
        ] {
            #expect(parse(line) == .success(.mail(SMTPMailCommand(reversePath: alice))), "\(line)")
        }
        #expect(parse("MAIL FROM:<>") == .success(.mail(SMTPMailCommand(reversePath: nil))))
        #expect(
            parse("RCPT TO:<Postmaster>")
                == .success(
                    .rcpt(.init(recipient: .init(address: MailAddress(localPart: "postmaster", domain: "mx.example.org"))))))
        #expect(
            parse("RCPT TO:<\"john doe\"@example.org>")
                == .success(
                    .rcpt(.init(recipient: .init(address: MailAddress(localPart: "\"john doe\"", domain: "example.org"))))))
        #expect(
            parse("RCPT TO:<\"a>b\"@example.org> NOTIFY=NEVER")
                == .success(
                    .rcpt(
                        .init(recipient: .init(address: MailAddress(localPart: "\"a>b\"", domain: "example.org"), notify: .never))
                    )))
    }

    @Test func lineLevelRefusals() {
        #expect(parser.parse(bytes("NO") + [0] + bytes("OP")) == .failure(.badCharacters))
        #expect(parser.parse(bytes("NOOP\rRSET")) == .failure(.badCharacters))
        #expect(parser.parse([0x4E, 0x4F, 0x4F, 0x50, 0x20, 0xFF]) == .failure(.badCharacters))
        #expect(parse("") == .failure(.unknownCommand))
        #expect(parse(" NOOP") == .failure(.unknownCommand))
        #expect(parse("MAILFROM:<a@b.example>") == .failure(.unknownCommand))
        #expect(parse("GET / HTTP/1.1") == .failure(.crossProtocol))
        #expect(parse("CONNECT example.org:25 HTTP/1.0") == .failure(.crossProtocol))
    }
}
