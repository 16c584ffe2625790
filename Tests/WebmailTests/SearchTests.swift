import Core
import PostaTestSupport
import Testing

@testable import Webmail

@Suite("Webmail search")
struct SearchTests {
    @Test("from, to, subject, body (decoded charsets), dates and attachments", arguments: TestDatabases.dialects)
    func search(dialect: Database.Dialect) async throws {
        try await WebmailFixture.with(dialect) { f in
            try await f.deliver(
                """
                From: =?iso-8859-1?q?J=F6rg?= <joerg@example.net>
                To: ann@example.org
                Cc: team@example.org
                Subject: =?utf-8?q?Caf=C3=A9_plans?=
                Date: 10 Nov 2026 10:00 +0000
                Content-Type: text/plain; charset=iso-8859-1
                Content-Transfer-Encoding: quoted-printable

                Wir treffen uns im Caf=E9 am Stra=DFenrand.
                """)
            try await f.deliver(
                """
                From: Bob <bob@example.net>
                To: ann@example.org
                Subject: Invoice
                Date: 20 Nov 2026 10:00 +0000
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/plain

                See the invoice.
                --b
                Content-Type: application/pdf; name=invoice.pdf

                xx
                --b--
                """)
            func find(_ build: (inout MessageSearch) -> Void) async throws -> [String] {
                var terms = MessageSearch()
                build(&terms)
                return try await f.webmail.search(f.ann, folder: "INBOX", terms, page: 0, pageSize: 50).items.map(\.subject)
            }
            #expect(try await find { $0.from = "jörg" } == ["Café plans"])
            #expect(try await find { $0.from = "BOB@EXAMPLE" } == ["Invoice"])
            #expect(try await find { $0.to = "team@" } == ["Café plans"])
            #expect(try await find { $0.subject = "café" } == ["Café plans"])
            #expect(try await find { $0.body = "straßenrand" } == ["Café plans"])
            #expect(try await find { $0.body = "nowhere" } == [])
            #expect(try await find { $0.hasAttachment = true } == ["Invoice"])
            #expect(try await find { $0.since = 1_794_700_800 } == ["Invoice"])  // 2026-11-15
            #expect(try await find { $0.before = 1_794_700_800 } == ["Café plans"])
            await #expect(throws: WebmailError.self) {
                _ = try await find { $0.body = String(repeating: "x", count: 201) }
            }
        }
    }
}
