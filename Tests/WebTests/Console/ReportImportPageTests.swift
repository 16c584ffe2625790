import Admin
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PostaTestSupport
import Testing

@testable import Web

/// `POST /admin/reports/import`: a report file as `multipart/form-data`, CSRF-checked like every
/// form, superadmin only; stored once; a malformed body is a 400, never a crash.
@Suite struct ReportImportPageTests {
    static let boundary = "----posta-test-7MA4YWxkTrZu0gW"

    /// A multipart body: the fields, then `file` as the `report` part.
    static func body(_ fields: [(String, String)], file: String?, boundary: String = boundary) -> ByteBuffer {
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        if let file {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"report\"; filename=\"report.xml\"\r\n"
            text += "Content-Type: application/octet-stream\r\n\r\n\(file)\r\n"
        }
        text += "--\(boundary)--\r\n"
        return ByteBuffer(string: text)
    }

    static func post(_ client: any TestClientProtocol, _ cookie: String, _ body: ByteBuffer, type: String? = nil)
        async throws -> (HTTPResponse.Status, HTTPFields, String)
    {
        let headers: HTTPFields = [
            .cookie: cookie, .contentType: type ?? "multipart/form-data; boundary=\(boundary)",
        ]
        return try await client.execute(uri: "/admin/reports/import", method: .post, headers: headers, body: body) {
            ($0.status, $0.headers, String(buffer: $0.body))
        }
    }

    @Test func superadminImportsEachKindOnce() async throws {
        try await ReportsFixture.with { _, client in
            let (cookie, csrf) = try await ReportPagesTests.logIn(client, "root")
            let dmarc = Self.body([("csrf", csrf), ("kind", "dmarc")], file: ReportImportFixtures.dmarc)
            let (status, headers, _) = try await Self.post(client, cookie, dmarc)
            #expect(status == .seeOther && headers[.location] == "/admin/reports/dmarc")
            #expect(headers[.setCookie]?.contains("Imported%201%20DMARC%20report") == true)
            let (_, _, page) = try await ReportPagesTests.get(client, cookie, "/admin/reports/dmarc")
            #expect(page.contains("<code>r-42</code>"))
            let (_, again, _) = try await Self.post(client, cookie, dmarc)
            #expect(again[.setCookie]?.contains("Already%20imported") == true)

            let tls = Self.body([("csrf", csrf), ("kind", "tls")], file: ReportImportFixtures.tls)
            let (tlsStatus, tlsHeaders, _) = try await Self.post(client, cookie, tls)
            #expect(tlsStatus == .seeOther && tlsHeaders[.location] == "/admin/reports/tls")
            let (_, _, tlsPage) = try await ReportPagesTests.get(client, cookie, "/admin/reports/tls")
            #expect(tlsPage.contains("Company-X"))

            // Not a report: the form again, with why.
            let junk = Self.body([("csrf", csrf), ("kind", "tls")], file: "{\"not\": \"a report\"}")
            let (junkStatus, _, junkPage) = try await Self.post(client, cookie, junk)
            #expect(junkStatus == .unprocessableContent && junkPage.contains("Not an SMTP TLS report"))
        }
    }

    @Test func refusals() async throws {
        try await ReportsFixture.with { _, client in
            let (cookie, csrf) = try await ReportPagesTests.logIn(client, "root")
            // No CSRF token: refused before anything is read into the store.
            let (noToken, _, _) = try await Self.post(
                client, cookie, Self.body([("kind", "dmarc")], file: ReportImportFixtures.dmarc))
            #expect(noToken == .forbidden)
            // Broken multipart and a boundary that does not match: 400.
            let (broken, _, _) = try await Self.post(
                client, cookie, ByteBuffer(string: "--\(Self.boundary)\r\nno headers end"))
            #expect(broken == .badRequest || broken == .forbidden)
            // Multipart is accepted only where a file is expected.
            let elsewhere = try await client.execute(
                uri: "/admin/reports/send", method: .post,
                headers: [.cookie: cookie, .contentType: "multipart/form-data; boundary=\(Self.boundary)"],
                body: Self.body([("csrf", csrf), ("day", "2023-11-15")], file: nil)
            ) { $0.status }
            #expect(elsewhere == .unsupportedMediaType)
            // A domain admin may not import.
            let (dora, doraCSRF) = try await ReportPagesTests.logIn(client, "dora")
            let (denied, _, _) = try await Self.post(
                client, dora, Self.body([("csrf", doraCSRF), ("kind", "dmarc")], file: ReportImportFixtures.dmarc))
            #expect(denied == .forbidden)
        }
    }

    @Test func boundaries() {
        #expect(ConsoleUpload.boundary(of: "multipart/form-data; boundary=abc") == "abc")
        #expect(ConsoleUpload.boundary(of: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(ConsoleUpload.boundary(of: "multipart/mixed; boundary=abc") == nil)
        #expect(ConsoleUpload.boundary(of: "multipart/form-data") == nil)
        #expect(ConsoleUpload.boundary(of: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
        #expect(
            ConsoleUpload.parameter("filename", in: "form-data; name=\"report\"; filename=\"a\\\"b.xml\"") == "a\"b.xml")
    }
}
