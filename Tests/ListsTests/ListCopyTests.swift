import Core
import MIME
import Testing

@testable import Lists

@Suite("List copies: RFC 2369/2919/8058 fields, cleansing, footers, DMARC mitigation")
struct ListCopyTests {
    static func copy(
        _ post: String, mitigate: DMARCMitigation = .none, _ change: (inout MailingList) -> Void = { _ in }
    ) -> (text: String, message: MIMEMessage) {
        let list = PostingPipelineTests.list(change)
        let message = MIMEMessage(Array(post.utf8))
        let facts = PostFacts(message: message, reversePath: nil, size: Int64(post.utf8.count), list: list)
        let bytes = ListCopy(post: message, facts: facts, list: list, mitigate: mitigate)
            .personalised(
                unsubscribeURL: "https://mail.example.org/lists/unsubscribe/TOKEN",
                leave: MailAddress(localPart: "dept-leave", domain: "example.org"), oneClick: true)
        return (String(decoding: bytes, as: UTF8.self), MIMEMessage(bytes))
    }

    static let post = """
        From: Alice Example <alice@example.net>\r
        To: dept@example.org\r
        Subject: Re: [dept] Plans\r
        Message-ID: <1@example.net>\r
        Approved: password\r
        Disposition-Notification-To: alice@example.net\r
        List-Id: <other.example.com>\r
        DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=s; h=from:to:message-id; bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=dGVzdA==\r
        DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=t; h=from:subject; bh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=dGVzdA==\r
        \r
        Hello list\r

        """

    @Test("list fields, field by field (RFC 2369, RFC 2919, RFC 8058)")
    func fields() {
        let (_, message) = Self.copy(Self.post)
        let header = message.header
        #expect(header["List-Id"] == "Dept <dept.example.org>")
        #expect(header.fields(named: "List-Id").count == 1)
        #expect(header["List-Post"] == "<mailto:dept@example.org>")
        #expect(header["List-Help"] == "<mailto:dept-request@example.org?subject=help>")
        #expect(header["List-Subscribe"] == "<mailto:dept-join@example.org>")
        #expect(header["List-Owner"] == "<mailto:dept-owner@example.org>")
        #expect(
            header["List-Unsubscribe"] == "<https://mail.example.org/lists/unsubscribe/TOKEN>, <mailto:dept-leave@example.org>")
        #expect(header["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(header["X-BeenThere"] == "dept@example.org")
        // Another list's marker stays below the list's own: two lists that are members of each
        // other see their own marker when the post comes round.
        let relayed = Self.copy("X-BeenThere: staff@example.org\r\n" + Self.post).message.header
        #expect(relayed.fields(named: "X-BeenThere").map(\.value) == ["dept@example.org", "staff@example.org"])
        let wrapped = Self.copy("X-BeenThere: staff@example.org\r\n" + Self.post, mitigate: .wrap).message.header
        #expect(wrapped.fields(named: "X-BeenThere").map(\.value) == ["dept@example.org", "staff@example.org"])
        #expect(header["Precedence"] == "list")
        #expect(header["Approved"] == nil && header["Disposition-Notification-To"] == nil)
        #expect(header["Message-ID"] == "<1@example.net>")
        #expect(header["From"] == "Alice Example <alice@example.net>")
        #expect(Self.copy(Self.post) { $0.style = .announce }.message.header["List-Post"] == "NO")
    }

    @Test("the subject prefix once, in front of Re:")
    func subjectPrefix() {
        #expect(Self.copy(Self.post).message.header["Subject"] == "[dept] Re: Plans")
        #expect(ListCopy.prefixed("[dept] [dept] Re: Re: x", prefix: "[dept]") == "[dept] Re: x")
        #expect(ListCopy.prefixed("Plans", prefix: "") == "Plans")
    }

    @Test("an author signature survives only when it covers nothing the list changed")
    func signatures() {
        let kept = Self.copy(Self.post).message.header.fields(named: "DKIM-Signature")
        #expect(kept.count == 1)
        #expect(kept.first?.value.contains("s=s;") == true)
        // A footer changes the body: every author signature goes.
        #expect(Self.copy(Self.post) { $0.footer = "Dept list" }.message.header.fields(named: "DKIM-Signature").isEmpty)
    }

    @Test("a plain text post gets the footer inline; any other gets it as a part of its own")
    func footers() throws {
        let inline = Self.copy(Self.post) { $0.footer = "Dept list: https://example.org/dept" }
        #expect(inline.text.hasSuffix("Hello list\r\n-- \r\nDept list: https://example.org/dept\r\n"))
        let html = """
            From: alice@example.net\r
            To: dept@example.org\r
            Subject: x\r
            MIME-Version: 1.0\r
            Content-Type: text/html; charset=utf-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <p>Hello=20list</p>\r

            """
        let wrapped = Self.copy(html) { $0.footer = "Füßzeile" }
        let root = wrapped.message.root
        #expect(root.contentType.mimeType == "multipart/mixed")
        #expect(root.parts.count == 2)
        #expect(root.parts[0].contentType.mimeType == "text/html")
        #expect(root.parts[0].transferEncoding == .quotedPrintable)
        #expect(wrapped.message.decodedText(of: root.parts[0]) == "<p>Hello list</p>")
        #expect(wrapped.message.decodedText(of: root.parts[1]) == "Füßzeile")
        #expect(wrapped.message.header.fields(named: "Content-Type").count == 1)
    }

    @Test("DMARC munge: From becomes the list's, the author answers through Reply-To or Cc")
    func munge() {
        let munged = Self.copy(Self.post, mitigate: .munge).message.header
        #expect(munged["From"] == "Alice Example via Dept <dept@example.org>")
        #expect(munged["Reply-To"] == "Alice Example <alice@example.net>")
        #expect(munged.fields(named: "DKIM-Signature").isEmpty)
        let toList = Self.copy(Self.post, mitigate: .munge) { $0.replyTo = .list }.message.header
        #expect(toList["Reply-To"] == "dept@example.org")
        #expect(toList["Cc"] == "Alice Example <alice@example.net>")
        // Without mitigation the author's From stays.
        #expect(Self.copy(Self.post) { $0.replyTo = .list }.message.header["From"] == "Alice Example <alice@example.net>")
    }

    @Test("DMARC wrap: the post travels whole inside the list's message")
    func wrap() throws {
        let wrapped = Self.copy(Self.post, mitigate: .wrap)
        #expect(wrapped.message.header["From"] == "Alice Example via Dept <dept@example.org>")
        #expect(wrapped.message.root.contentType.mimeType == "message/rfc822")
        let inner = try #require(wrapped.message.root.encapsulatedMessage)
        #expect(inner.header["From"] == "Alice Example <alice@example.net>")
        #expect(inner.header.fields(named: "DKIM-Signature").count == 2)
        #expect(inner.header["Approved"] == nil)
    }
}
