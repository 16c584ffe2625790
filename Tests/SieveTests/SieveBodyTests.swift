import Testing

@testable import Sieve

@Suite("Sieve body (RFC 5173)")
struct SieveBodyTests {
    static let multipart = """
        From: a@example.org
        To: bob@example.com
        Subject: parts
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="b"

        --b
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: quoted-printable

        Caf=C3=A9 at noon
        --b
        Content-Type: text/html

        <p>Secret <b>plan</b></p>
        --b
        Content-Type: application/octet-stream
        Content-Transfer-Encoding: base64

        YmluYXJ5IHBheWxvYWQ=
        --b--
        """.replacingOccurrences(of: "\n", with: "\r\n")

    static func matches(_ test: String) async throws -> Bool {
        let result = try await SieveFixture.run(
            "require \"body\";\nif body \(test) { discard; }", message: multipart)
        return result.actions == [.discard]
    }

    @Test(":text (default) searches decoded text parts")
    func text() async throws {
        #expect(try await Self.matches(#":contains "Café""#))
        #expect(try await Self.matches(#":text :contains "secret plan""#))
        #expect(try await Self.matches(#":contains "binary payload""#) == false)
    }

    @Test(":raw searches the undecoded body")
    func raw() async throws {
        #expect(try await Self.matches(#":raw :contains "Caf=C3=A9""#))
        #expect(try await Self.matches(#":raw :contains "Café""#) == false)
    }

    @Test(":content selects parts by type and decodes them")
    func content() async throws {
        #expect(try await Self.matches(#":content "application" :contains "binary payload""#))
        #expect(try await Self.matches(#":content "text/html" :contains "<b>plan</b>""#))
        #expect(try await Self.matches(#":content "text/plain" :contains "plan""#) == false)
    }
}
