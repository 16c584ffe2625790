import Testing

@testable import POP3

@Suite("POP3 streaming encoder (RFC 1939 §3 byte-stuffing, §7 TOP)")
struct POP3DotStufferTests {
    static func encode(_ text: String, limit: Int? = nil, chunk: Int) -> String {
        var stuffer = POP3DotStuffer(bodyLineLimit: limit)
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count && !stuffer.isComplete {
            out += stuffer.encode(bytes[index..<min(index + chunk, bytes.count)])
            index += chunk
        }
        out += stuffer.finish()
        return String(decoding: out, as: UTF8.self)
    }

    static let message = "Subject: x\r\n.Hidden: y\r\n\r\n.line one\r\n..two\r\nthree.\r\n.\r\nfour\r\n"
    static let stuffed = "Subject: x\r\n..Hidden: y\r\n\r\n..line one\r\n...two\r\nthree.\r\n..\r\nfour\r\n.\r\n"

    @Test("stuffing is the same for every chunk size (dots across chunk boundaries)", arguments: [1, 2, 3, 5, 11, 64 * 1024])
    func chunkBoundaries(chunk: Int) {
        #expect(Self.encode(Self.message, chunk: chunk) == Self.stuffed)
    }

    @Test("a message without a final CRLF gets one before the terminator")
    func unterminated() {
        #expect(Self.encode("Subject: x\r\n\r\nno newline", chunk: 4) == "Subject: x\r\n\r\nno newline\r\n.\r\n")
        #expect(Self.encode("a\r\n.", chunk: 1) == "a\r\n..\r\n.\r\n")
        #expect(Self.encode("a\r", chunk: 1) == "a\r\r\n.\r\n")
        #expect(Self.encode("", chunk: 1) == ".\r\n")
    }

    @Test("TOP: header, blank line and n body lines", arguments: [1, 3, 100])
    func top(chunk: Int) {
        #expect(Self.encode(Self.message, limit: 0, chunk: chunk) == "Subject: x\r\n..Hidden: y\r\n\r\n.\r\n")
        #expect(
            Self.encode(Self.message, limit: 2, chunk: chunk) == "Subject: x\r\n..Hidden: y\r\n\r\n..line one\r\n...two\r\n.\r\n")
        #expect(Self.encode(Self.message, limit: 99, chunk: chunk) == Self.stuffed)
        #expect(Self.encode("Subject: only header\r\n", limit: 0, chunk: chunk) == "Subject: only header\r\n.\r\n")
    }

    @Test("the single-line encoder stuffs multi-line response lines")
    func responseLines() {
        #expect(POP3Response.ok("x", lines: [".a", "b"]).encode() == Array("+OK x\r\n..a\r\nb\r\n.\r\n".utf8))
    }
}
