import Testing

@testable import MIME

@Suite struct ParserTests {
    @Test func headerFieldsKeepRawRangesAndUnfoldedValues() throws {
        let message = Fixtures.message("Subject: hello\n\tworld  \nX-Empty:\nbad line\nTo : a@b\n\nbody")
        let fields = message.header.fields
        #expect(fields.map(\.name) == ["Subject", "X-Empty", "To"])
        #expect(fields[0].value == "hello\tworld")
        #expect(String(decoding: message[fields[0].range], as: UTF8.self) == "Subject: hello\r\n\tworld  \r\n")
        #expect(fields[1].value == "")
        #expect(fields[2].value == "a@b")
        #expect(message.header["to"] == "a@b")
        #expect(String(decoding: message[message.root.bodyRange], as: UTF8.self) == "body")
    }

    @Test func messageWithoutBodyOrHeader() {
        let headerOnly = Fixtures.message("Subject: x\n")
        #expect(headerOnly.root.bodyRange.isEmpty)
        #expect(headerOnly.root.headerRange == 0..<headerOnly.bytes.count)
        let empty = MIMEMessage([])
        #expect(empty.root.range == 0..<0)
        #expect(empty.bodyStructure.kind == .text(lines: 0))
        let bodyOnly = Fixtures.message("\njust body")
        #expect(bodyOnly.header.fields.isEmpty)
        #expect(bodyOnly.root.bodyRange == 2..<bodyOnly.bytes.count)
    }

    @Test func bareLineFeedsAreTolerated() throws {
        let text = Fixtures.rfc3501Example
        let message = MIMEMessage(Array(text.utf8))
        #expect(message.string([4, 2, 2, 1]) == "part 4.2.2.1")
        #expect(message.string([3], .header) == "Subject: inner3\nContent-Type: multipart/mixed; boundary=\"m3\"\n\n")
        #expect(message.string([4, 1], .mime) == "Content-Type: image/gif\n\n")
        #expect(message.header.field("subject")?.value == "test")
        #expect(message.string([], .headerFields(["subject"])) == "Subject: test\n\r\n")
    }

    @Test func preambleEpilogueAndBoundaryLookalikes() throws {
        let message = Fixtures.message(
            """
            Content-Type: multipart/mixed; boundary="b"

            pre
            --b

            --bx not a delimiter
            -- b
            --b   

            second
            --b--  
            epi
            """)
        guard case .multipart(let multipart) = message.root.content else {
            Issue.record("not multipart")
            return
        }
        #expect(multipart.parts.count == 2)
        #expect(String(decoding: message[multipart.preamble], as: UTF8.self) == "pre")
        #expect(String(decoding: message[multipart.epilogue], as: UTF8.self) == "epi")
        #expect(multipart.isTerminated)
        #expect(message.string([1]) == "--bx not a delimiter\r\n-- b")
        #expect(message.string([2]) == "second")
    }

    @Test func missingCloseDelimiterEndsTheLastPartAtTheEnd() {
        let message = Fixtures.message("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n")
        guard case .multipart(let multipart) = message.root.content else {
            Issue.record("not multipart")
            return
        }
        #expect(!multipart.isTerminated)
        #expect(message.string([1]) == "one")
        #expect(message.string([2]) == "two\r\n")
    }

    @Test func emptyPartsAndAdjacentDelimiters() {
        let message = Fixtures.message("Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nx\n--b--")
        #expect(message.root.parts.count == 2)
        #expect(message.string([1]) == "")
        #expect(message.string([2]) == "x")
    }

    @Test func invalidContentTypeAndMultipartWithoutBoundary() {
        #expect(Fixtures.message("Content-Type: garbage\n\nx").root.contentType == .textPlain)
        let noBoundary = Fixtures.message("Content-Type: multipart/mixed\n\nx").root
        #expect(noBoundary.contentType.mimeType == "application/octet-stream")
        #expect(noBoundary.parts.isEmpty)
    }

    @Test func base64EncodedMessageRFC822IsALeaf() {
        let message = Fixtures.message(
            "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA0KDQp5")
        #expect(message.root.encapsulatedMessage == nil)
        #expect(message.binaryContent(at: [1]) == Array("Subject: x\r\n\r\ny".utf8))
    }

    @Test func nestingDepthIsBounded() {
        var text = ""
        for _ in 0..<200 { text += "Content-Type: message/rfc822\n\n" }
        text += "Subject: deep\n\nbottom"
        let message = MIMEMessage(Fixtures.crlf(text), limits: MIMEParseLimits(maxDepth: 64))
        var depth = 0
        var entity = message.root
        while let inner = entity.encapsulatedMessage {
            depth += 1
            entity = inner
        }
        #expect(depth == 64)
        _ = message.bodyStructure
    }

    @Test func entityCountIsBounded() {
        var text = "Content-Type: multipart/mixed; boundary=b\n\n"
        for _ in 0..<10_000 { text += "--b\n\nx\n" }
        let message = MIMEMessage(Fixtures.crlf(text), limits: MIMEParseLimits(maxEntities: 100))
        #expect(message.root.parts.count == 99)
    }
}
