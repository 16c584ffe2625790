import Testing

@testable import MIME

@Suite struct BodyStructureTests {
    static let nested = """
        From: a@example.com
        Subject: nested
        Content-Type: multipart/mixed; boundary="b1"

        --b1
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable
        Content-ID: <id1@x>
        Content-Description: greeting
        Content-Language: en, de
        Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==

        caf=C3=A9
        line 2
        --b1
        Content-Type: message/rfc822
        Content-Disposition: inline; filename=fwd.eml

        From: Bob <bob@example.org>
        Subject: inner
        Content-Type: multipart/alternative; boundary=alt

        --alt
        Content-Type: text/plain

        plain
        --alt
        Content-Type: text/html; charset=iso-8859-1

        <p>caf&eacute; &amp; <b>bar</b></p>
        --alt--

        --b1
        Content-Type: image/png; name=dot.png
        Content-Transfer-Encoding: base64
        Content-Disposition: attachment; filename="dot.png"
        Content-Location: http://x.example/
         dot.png

        iVBORw0K
        --b1--
        """

    @Test func nestedMultipartWithEncapsulatedMessage() throws {
        let message = Fixtures.message(Self.nested)
        let structure = message.bodyStructure
        #expect(structure.type == "multipart" && structure.subtype == "mixed")
        #expect(structure.parameters == [MIMEParameter(name: "boundary", value: "b1")])
        guard case .multipart(let parts) = structure.kind else {
            Issue.record("not multipart")
            return
        }
        #expect(parts.count == 3)

        let text = parts[0]
        #expect(text.type == "text" && text.subtype == "plain")
        #expect(text.parameters == [MIMEParameter(name: "charset", value: "utf-8")])
        #expect(text.encoding == "quoted-printable")
        #expect(text.id == "<id1@x>")
        #expect(text.description == "greeting")
        #expect(text.language == ["en", "de"])
        #expect(text.md5 == "Q2hlY2sgSW50ZWdyaXR5IQ==")
        #expect(text.size == "caf=C3=A9\r\nline 2".utf8.count)
        #expect(text.kind == .text(lines: 1))

        let forwarded = parts[1]
        #expect(forwarded.type == "message" && forwarded.subtype == "rfc822")
        #expect(forwarded.encoding == "7bit")
        #expect(
            forwarded.disposition
                == ContentDisposition(type: "inline", parameters: [.init(name: "filename", value: "fwd.eml")]))
        guard case .message(let envelope, let inner, let lines) = forwarded.kind else {
            Issue.record("not message")
            return
        }
        #expect(envelope.subject == "inner")
        #expect(envelope.from == [EnvelopeAddress(name: "Bob", mailbox: "bob", host: "example.org")])
        #expect(lines == 13)
        let innerSize = try #require(message.entity(at: [2])?.bodyRange.count)
        #expect(forwarded.size == innerSize)
        #expect(inner.type == "multipart" && inner.subtype == "alternative")
        guard case .multipart(let alternatives) = inner.kind else {
            Issue.record("inner not multipart")
            return
        }
        #expect(alternatives.map(\.subtype) == ["plain", "html"])
        #expect(alternatives[0].parameters == ContentType.textPlain.parameters)
        #expect(alternatives[0].size == 5)
        #expect(alternatives[0].kind == .text(lines: 0))
        #expect(alternatives[1].size == "<p>caf&eacute; &amp; <b>bar</b></p>".utf8.count)
        #expect(alternatives[1].kind == .text(lines: 0))

        let image = parts[2]
        #expect(image.type == "image" && image.subtype == "png")
        #expect(image.kind == .basic)
        #expect(image.encoding == "base64")
        #expect(image.size == 8)
        #expect(image.disposition?.filename == "dot.png")
        #expect(image.location == "http://x.example/dot.png")
        #expect(message.entity(at: [3])?.filename == "dot.png")
    }

    @Test func decodedContentOfTheParts() throws {
        let message = Fixtures.message(Self.nested)
        let text = try #require(message.entity(at: [1]))
        #expect(message.decodedText(of: text) == "café\r\nline 2")
        #expect(message.binaryContent(at: [3]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A])
        let html = try #require(message.entity(at: [2, 2]))
        #expect(message.plainText(of: html) == "café & bar\n")
        #expect(message.decodedText(of: try #require(message.entity(at: [3]))) == nil)
        #expect(message.binaryContent(at: [9]) == nil)
    }

    @Test func simpleMessageDefaultsToTextPlainUSASCII() {
        let structure = Fixtures.message("Subject: x\n\nline 1\nline 2\n").bodyStructure
        #expect(structure.type == "text" && structure.subtype == "plain")
        #expect(structure.parameters == [MIMEParameter(name: "charset", value: "us-ascii")])
        #expect(structure.size == 16)
        #expect(structure.kind == .text(lines: 2))
        #expect(structure.encoding == "7bit")
    }

    @Test func digestChildrenDefaultToMessageRFC822() {
        let message = Fixtures.message(
            "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d\nContent-Type: text/plain\n\nsecond\n--d--\n"
        )
        let structure = message.bodyStructure
        guard case .multipart(let parts) = structure.kind, case .message(let envelope, _, _) = parts[0].kind else {
            Issue.record("unexpected \(structure)")
            return
        }
        #expect(envelope.subject == "one")
        #expect(parts[1].kind == .text(lines: 0))
    }

    @Test func multipartWithoutPartsGetsOneEmptyTextPart() {
        let structure = Fixtures.message("Content-Type: multipart/mixed; boundary=zz\n\nno boundaries here\n")
            .bodyStructure
        #expect(
            structure.kind
                == .multipart([
                    BodyStructure(
                        type: "text", subtype: "plain", parameters: ContentType.textPlain.parameters,
                        kind: .text(lines: 0))
                ]))
    }
}
