import Foundation
import PostaTestSupport
import Testing

@testable import SMTP

@Suite("From: header addresses for the submission sender check (RFC 5322 §3.4)")
struct HeaderFieldsTests {
    @Test(
        arguments: [
            ("alice@example.org", ["alice@example.org"]),
            (" Alice Smith <alice@example.org>", ["alice@example.org"]),
            (" \"Smith, Alice\" <alice@example.org>", ["alice@example.org"]),
            (" \"Eve <eve@evil.example>\" <alice@example.org>", ["alice@example.org"]),
            (" alice@example.org (Alice <not@this.example>)", ["alice@example.org"]),
            (" <a@example.org>, Bob <b@example.org>", ["a@example.org", "b@example.org"]),
            (" a@example.org, b@example.org", ["a@example.org", "b@example.org"]),
        ])
    func addresses(value: String, expected: [String]) {
        #expect(HeaderFields.addresses(in: value) == expected)
    }

    @Test func foldedFieldsAndOnlyTheHeaderSection() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path + "/m"
        let message = "Received: x\r\nFROM: Alice\r\n <alice@example.org>\r\nSubject: s\r\n\r\nFrom: body@evil.example\r\n"
        try message.write(toFile: path, atomically: true, encoding: .utf8)
        let values = HeaderFields.values(named: "From", inFile: path)
        #expect(values.count == 1)
        #expect(HeaderFields.addresses(in: values[0]) == ["alice@example.org"])
    }
}
