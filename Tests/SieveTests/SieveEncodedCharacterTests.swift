import Testing

@testable import Sieve

@Suite("Sieve encoded-character (RFC 5228 §2.4.2.4)")
struct SieveEncodedCharacterTests {
    @Test(
        "hex and unicode sequences decode; malformed ones stay",
        arguments: [
            ("${hex:40}", "@"), ("${HEX: 24 24}", "$$"), ("${unicode:40}", "@"), ("${Unicode: 1F600 }", "😀"),
            ("a${hex:4}b", "a\u{04}b"), ("${hex:xx}", "${hex:xx}"), ("${hex:123}", "${hex:123}"), ("${other:40}", "${other:40}"),
            ("${hex:40", "${hex:40"),
        ])
    func decode(input: String, expected: String) throws {
        #expect(try SieveEncodedCharacter.decode(input) == expected)
    }

    @Test("the RFC example: only with the require")
    func script() async throws {
        let script = #"require ["encoded-character", "fileinto"]; fileinto "${hex:40}x${unicode: 20AC}";"#
        #expect(try await SieveFixture.run(script).actions == [.fileinto(mailbox: "@x€", flags: [], create: false)])
        let plain = #"require "fileinto"; fileinto "${hex:40}";"#
        #expect(try await SieveFixture.run(plain).actions == [.fileinto(mailbox: "${hex:40}", flags: [], create: false)])
    }

    @Test("an invalid code point is an error")
    func invalid() {
        #expect(!SieveFixture.errors(#"require ["encoded-character", "fileinto"]; fileinto "${unicode:D800}";"#).isEmpty)
        #expect(!SieveFixture.errors(#"require "encoded-character"; redirect "${unicode:110000}@x.org";"#).isEmpty)
    }
}
