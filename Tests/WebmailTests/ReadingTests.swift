import Core
import Directory
import MIME
import PostaTestSupport
import Testing

@testable import Webmail

@Suite("Webmail reading")
struct ReadingTests {
    static let mixed = """
        From: Bob <bob@example.net>
        To: ann@example.org
        Cc: =?utf-8?q?Z=C3=B6e?= <zoe@example.org>
        Subject: Report
        Date: Thu, 03 Dec 2026 10:00:00 +0000
        Message-ID: <m1@example.net>
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        --outer
        Content-Type: multipart/alternative; boundary="alt"

        --alt
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: quoted-printable

        Gr=FC=DFe, see https://example.net/report.
        --alt
        Content-Type: multipart/related; boundary="rel"

        --rel
        Content-Type: text/html; charset=utf-8

        <p>Gr&uuml;&szlig;e <img src="cid:logo@x"></p>
        --rel
        Content-Type: image/png
        Content-ID: <logo@x>
        Content-Transfer-Encoding: base64

        iVBORw0KGgo=
        --rel--
        --alt--
        --outer
        Content-Type: application/pdf
        Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9.pdf
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --outer--

        """

    @Test(
        "alternatives, related images, attachments with RFC 2231 names; reading marks it seen", arguments: TestDatabases.dialects)
    func structure(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let uid = try await f.deliver(Self.mixed)
            let html = try await f.webmail.read(f.ann, folder: "INBOX", uid: uid)
            #expect(html.bodies == [.html(part: "1.2.1")])
            #expect(html.cc.map(\.display) == ["Zöe <zoe@example.org>"])
            #expect(html.subject == "Report")
            #expect(html.messageID == "<m1@example.net>")
            let files = html.attachments.filter { !$0.isInline }
            #expect(files.map(\.filename) == ["Résumé.pdf"])
            #expect(files.first?.part == "2")
            #expect(html.attachments.first { $0.isInline }?.contentID == "logo@x")
            #expect(html.flags.contains("\\Seen"))
            let plain = try await f.webmail.read(f.ann, folder: "INBOX", uid: uid, preferHTML: false)
            #expect(plain.bodies == [.plain("Grüße, see https://example.net/report.")])

            let pdf = try await f.webmail.part(f.ann, folder: "INBOX", uid: uid, part: "2")
            #expect(pdf.bytes == Array("%PDF-1.4\n".utf8))
            #expect(pdf.filename == "Résumé.pdf")
            #expect(pdf.mimeType == "application/pdf")
            let safe = try await f.webmail.html(f.ann, folder: "INBOX", uid: uid, part: "1.2.1", showRemote: false)
            #expect(safe.sanitized.html.contains("src=\"data:image/png;base64,iVBORw0KGgo=\""))
            await #expect(throws: WebmailError.noSuchPart("9")) {
                try await f.webmail.part(f.ann, folder: "INBOX", uid: uid, part: "9")
            }
            let source = try await f.webmail.source(f.ann, folder: "INBOX", uid: uid)
            #expect(String(decoding: source, as: UTF8.self).contains("Message-ID: <m1@example.net>"))
        }
    }

    @Test("broken MIME still shows what can be read", arguments: [Database.Dialect.sqlite])
    func brokenMIME(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let uid = try await f.deliver(
                """
                From: x@example.net
                Subject: broken
                Content-Type: multipart/mixed; boundary="never"

                --nope
                Content-Type: text/plain

                text before a boundary that never comes
                """)
            let view = try await f.webmail.read(f.ann, folder: "INBOX", uid: uid)
            #expect(view.subject == "broken")
            // Whatever the parser makes of it, reading never throws and nothing is lost from the source.
            let source = try await f.webmail.source(f.ann, folder: "INBOX", uid: uid)
            #expect(String(decoding: source, as: UTF8.self).contains("text before a boundary"))
        }
    }

    @Test("another account's message and a missing UID are not found", arguments: [Database.Dialect.sqlite])
    func isolation(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            let uid = try await f.deliver(WebmailFixture.message(subject: "mine"))
            let bea = try await f.directory.addAccount("bea@example.org", password: try StoredPassword("{PLAIN}other"))
            try await f.store.provision(account: bea)
            await #expect(throws: WebmailError.noSuchMessage(uid)) {
                try await f.webmail.read(bea, folder: "INBOX", uid: uid)
            }
            await #expect(throws: WebmailError.noSuchMessage(999)) {
                try await f.webmail.read(f.ann, folder: "INBOX", uid: 999)
            }
        }
    }
}
