import Testing

@testable import MIME

@Suite("Parts holding NUL are stored as base64 (RFC 3516 §4.2)")
struct BinaryContentTests {
    @Test func singlePartIsReencodedAndDecodesBack() {
        let raw =
            Array(
                "From: a@b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n".utf8)
            + [0, 0x2D, 0xFF, 13, 10, 13, 10]
        let stored = MIMEMessage(raw).encodingBinaryParts()
        #expect(!stored.contains(0))
        let text = String(decoding: stored, as: UTF8.self)
        #expect(
            text.hasPrefix("From: a@b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        #expect(!text.contains("binary"))
        let message = MIMEMessage(stored)
        #expect(message.root.transferEncoding == .base64)
        #expect(message.root.transferEncoding.decode(message[message.root.bodyRange]) == [0, 0x2D, 0xFF, 13, 10, 13, 10])
    }

    @Test func onlyThePartWithNULChangesInAMultipart() {
        let head = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\n"
        let raw = Array((head + "Content-Type: application/x\r\n\r\n").utf8) + [1, 0, 2] + Array("\r\n--b--\r\n".utf8)
        let stored = MIMEMessage(raw).encodingBinaryParts()
        #expect(!stored.contains(0))
        let message = MIMEMessage(stored)
        let parts = message.root.parts
        #expect(parts.count == 2)
        #expect(Array(message[parts[0].bodyRange]) == Array("hello".utf8))
        #expect(parts[1].transferEncoding == .base64)
        #expect(parts[1].transferEncoding.decode(message[parts[1].bodyRange]) == [1, 0, 2])
        #expect(String(decoding: stored, as: UTF8.self).hasSuffix("\r\n--b--\r\n"))
    }

    @Test func messagesWithoutNULAreUntouched() {
        let raw = Array("Subject: x\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncaf\u{e9}\r\n".utf8)
        #expect(MIMEMessage(raw).encodingBinaryParts() == raw)
    }

    @Test func longBodiesAreFoldedAt76() {
        let body = [UInt8](repeating: 0, count: 100)
        let lines = String(decoding: MIMEMessage.base64Lines(body), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.map(\.count) == [76, 60])
        #expect(lines.joined().allSatisfy { $0 == "A" || $0 == "=" })
    }
}
