import Foundation
import MIME
import Testing

@Suite("MessageComposer")
struct ComposerTests {
    @Test("what it writes reads back the same: encoded words, quoted-printable, RFC 2231 names, folding")
    func roundTrip() {
        var composer = MessageComposer()
        let subject = String(repeating: "Grüße aus Köln – ", count: 6) + "Ende"
        composer.fields = [
            ("From", .addresses([("Ann \"the\" Example", "ann@example.org")])),
            ("To", .addresses([("Zoë", "zoe@example.org"), ("", "bob@example.net")])),
            ("Subject", .text(subject)),
            ("X-Evil", .text("a\r\nBcc: injected@example.net")),
        ]
        composer.text = "First line with trailing space \n=equals= and ü\n" + String(repeating: "long ", count: 40) + "\n.\nend"
        composer.attachments = [.init(filename: "Résumé 2026.pdf", mimeType: "application/pdf", bytes: Array(0...255))]
        let bytes = composer.bytes()
        let message = MIMEMessage(bytes)
        #expect(message.header.field("Subject")?.decodedValue == subject)
        #expect(message.header.field("From")?.decodedValue == "\"Ann \\\"the\\\" Example\" <ann@example.org>")
        #expect(message.header.fields(named: "Bcc").isEmpty)
        #expect(
            EnvelopeAddress.parseList(message.header.field("To")!.valueBytes).compactMap(\.addressSpec) == [
                "zoe@example.org", "bob@example.net",
            ])
        let text = message.root.parts[0]
        #expect(message.decodedText(of: text)?.replacingOccurrences(of: "\r\n", with: "\n") == composer.text + "\n")
        let file = message.root.parts[1]
        #expect(file.attachmentNames.contains("Résumé 2026.pdf"))
        #expect(message.decodedBody(of: file) == Array(0...255))
        // RFC 5322 §2.1.1: no line over 998 characters; header lines folded to 78 where there are spaces.
        let lines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 998 })
        #expect(lines.prefix(while: { !$0.isEmpty }).allSatisfy { $0.utf8.count <= 78 })
        // Every line ends in CRLF; no NUL.
        #expect(bytes.indices.allSatisfy { bytes[$0] != 10 || ($0 > 0 && bytes[$0 - 1] == 13) })
        #expect(!bytes.contains(0))
    }
}
