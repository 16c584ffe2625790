import Testing

@testable import Webmail

@Suite("Webmail header summaries")
struct HeaderSummaryTests {
    @Test("decoded sender and subject, the Date instant, the attachment marker, the thread root")
    func summary() {
        let header = Array(
            """
            From: =?iso-8859-1?q?Andr=E9_M=FCller?= <andre@example.net>\r
            To: Ann <ann@example.org>, bob@example.org\r
            Subject: =?utf-8?b?w5xiZXIgZGFzIFByb2pla3Q=?=\r
            Date: Tue, 1 Dec 2026 10:00:00 +0100\r
            References: <root@x> <mid@x>\r
            In-Reply-To: <mid@x>\r
            Content-Type: multipart/mixed; boundary=b\r
            \r

            """.utf8)
        let summary = HeaderSummary(header: header)
        #expect(summary.fromName == "André Müller")
        #expect(summary.fromAddress == "andre@example.net")
        #expect(summary.to == "Ann, bob@example.org")
        #expect(summary.subject == "Über das Projekt")
        #expect(summary.sentAt == 1_796_115_600)
        #expect(summary.hasAttachment)
        #expect(summary.threadKey == "<root@x>")
    }

    @Test("a plain message, a missing sender, a hostile header")
    func oddOnes() {
        let plain = HeaderSummary(header: Array("Subject: hi\r\nContent-Type: text/plain\r\n\r\n".utf8))
        #expect(!plain.hasAttachment)
        #expect(plain.fromName == "")
        #expect(plain.sentAt == nil)
        #expect(plain.threadKey == nil)
        let alternative = HeaderSummary(header: Array("Content-Type: multipart/alternative; boundary=x\r\n\r\n".utf8))
        #expect(!alternative.hasAttachment)
        let pdf = HeaderSummary(header: Array("Content-Type: application/pdf\r\n\r\n".utf8))
        #expect(pdf.hasAttachment)
        let hostile = HeaderSummary(header: Array("Subject: a\r\n\tb =?utf-8?q?c=0Ad?=\r\n\r\n".utf8))
        #expect(!hostile.subject.contains("\n"))
        #expect(!hostile.subject.contains("\t"))
    }

    @Test("base subjects drop reply and forward prefixes and list tags")
    func baseSubject() {
        #expect(HeaderSummary.baseSubject("Re: Fwd: [list] RE: Hello") == "hello")
        #expect(HeaderSummary.baseSubject("AW: Sv: Plan") == "plan")
        #expect(HeaderSummary.baseSubject("[") == "[")
    }
}
