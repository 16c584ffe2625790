import Testing

@testable import SMTP

@Suite("SMTP DATA encoder")
struct ClientEncoderTests {
    private func encode(_ text: String) -> String {
        String(decoding: SMTPDataEncoder.encodeMessage(Array(text.utf8)), as: UTF8.self)
    }

    @Test("dot-stuffing (RFC 5321 §4.5.2) and the final CRLF.CRLF")
    func dotStuffing() {
        #expect(encode(".hidden\r\nnot.a.dot\r\n..two\r\n.\r\n") == "..hidden\r\nnot.a.dot\r\n...two\r\n..\r\n.\r\n")
        #expect(encode("last line without break") == "last line without break\r\n.\r\n")
        #expect(encode("") == ".\r\n")
        #expect(encode("a\r\n") == "a\r\n.\r\n")
    }

    @Test("bare LF and bare CR become CRLF; the smuggling sequence is neutralised")
    func lineEndings() {
        #expect(encode("a\nb\rc\r\nd") == "a\r\nb\r\nc\r\nd\r\n.\r\n")
        #expect(encode("a\r\r\nb") == "a\r\n\r\nb\r\n.\r\n")
        #expect(encode("end\r") == "end\r\n.\r\n")
        // "\n.\n" and "\r.\r" would end the data at a lenient server: here the dot is stuffed.
        #expect(encode("x\n.\nMAIL FROM:<evil>\r\n") == "x\r\n..\r\nMAIL FROM:<evil>\r\n.\r\n")
        #expect(encode("x\r.\rRCPT") == "x\r\n..\r\nRCPT\r\n.\r\n")
    }

    @Test("any split into two or three chunks gives the same bytes")
    func chunkBoundaries() {
        let input = Array("a\r\n.b\n.\r\r.c\r\r\n..\rd.\r\n.".utf8)
        let whole = SMTPDataEncoder.encodeMessage(input)
        for first in 0...input.count {
            for second in first...input.count {
                var encoder = SMTPDataEncoder()
                var out = encoder.encode(input[..<first])
                out += encoder.encode(input[first..<second])
                out += encoder.encode(input[second...])
                out += encoder.finish()
                #expect(out == whole, "cuts at \(first), \(second)")
            }
        }
        var bytewise = SMTPDataEncoder()
        var out: [UInt8] = []
        for byte in input { out += bytewise.encode([byte]) }
        #expect(out + bytewise.finish() == whole)
    }

    @Test("output has only CRLF line ends and never a lone dot line before the end")
    func invariants() {
        let input = Array("\r\r\n\n.\n..\r.\r\n.x\r".utf8)
        let out = SMTPDataEncoder.encodeMessage(input)
        for (i, byte) in out.enumerated() {
            if byte == 13 { #expect(i + 1 < out.count && out[i + 1] == 10) }
            if byte == 10 { #expect(i > 0 && out[i - 1] == 13) }
        }
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.components(separatedBy: "\r\n.\r\n").count == 2)
        #expect(text.hasSuffix("\r\n.\r\n"))
    }
}
