import Testing

@testable import MIME

/// The parser says which of its limits a message met, so that checks reading the tree know they have
/// not seen all of it (issue #12 item 13).
@Suite struct ParseLimitTests {
    static func nested(depth: Int) -> [UInt8] {
        var text = "Content-Type: text/plain\r\n\r\nleaf\r\n"
        for level in 0..<depth {
            text = "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n\(text)--b\(level)--\r\n"
        }
        return Array(("From: a@b.example\r\n" + text).utf8)
    }

    @Test func ordinaryMessagesMeetNoLimit() {
        #expect(MIMEMessage(Self.nested(depth: 3)).exceededLimits.isEmpty)
        #expect(MIMEMessage(Self.nested(depth: 4), limits: MIMEParseLimits(maxDepth: 4)).exceededLimits.isEmpty)
    }

    @Test func depth() {
        let message = MIMEMessage(Self.nested(depth: 5), limits: MIMEParseLimits(maxDepth: 4))
        #expect(message.exceededLimits == .depth)
        let rfc822 = Array(
            "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nhi\r\n".utf8)
        #expect(MIMEMessage(rfc822, limits: MIMEParseLimits(maxDepth: 1)).exceededLimits == .depth)
    }

    @Test func entities() {
        let parts = String(repeating: "--b\r\n\r\nx\r\n", count: 10)
        let bytes = Array("Content-Type: multipart/mixed; boundary=b\r\n\r\n\(parts)--b--\r\n".utf8)
        #expect(MIMEMessage(bytes, limits: MIMEParseLimits(maxEntities: 11)).exceededLimits.isEmpty)
        let cut = MIMEMessage(bytes, limits: MIMEParseLimits(maxEntities: 5))
        #expect(cut.exceededLimits == .entities)
        #expect(cut.root.parts.count == 4)
        let unterminated = Array("Content-Type: multipart/mixed; boundary=b\r\n\r\n\(parts)".utf8)
        #expect(MIMEMessage(unterminated, limits: MIMEParseLimits(maxEntities: 10)).exceededLimits == .entities)
    }

    @Test func headerSize() {
        let header = "Subject: x\r\n" + String(repeating: "X-A: 0123456789\r\n", count: 10)
        let bytes = Array((header + "\r\nbody\r\n").utf8)
        #expect(MIMEMessage(bytes, limits: MIMEParseLimits(maxHeaderBytes: 1_000)).exceededLimits.isEmpty)
        let big = MIMEMessage(bytes, limits: MIMEParseLimits(maxHeaderBytes: 100))
        #expect(big.exceededLimits == .headerSize)
        #expect(big.header.fields.count == 11)  // still parsed whole: only flagged
        #expect(MIMEParseLimits.Exceeded([.depth, .headerSize]).description == "depth, header size")
    }
}
