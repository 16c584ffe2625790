import Core
import Testing

@Suite("Mail addresses (RFC 5321 §4.1.2, RFC 6531)")
struct MailAddressTests {
    @Test func parsesAndLowercasesDomain() throws {
        let a = try MailAddress(parsing: "Alice.Smith@Example.ORG")
        #expect(a.localPart == "Alice.Smith")
        #expect(a.domain == "example.org")
        #expect(a.key == "alice.smith@example.org")
        #expect(a.description == "Alice.Smith@example.org")
    }

    @Test func quotedLocalPartAndUTF8() throws {
        #expect(try MailAddress(parsing: "\"john doe\"@example.org").localPart == "\"john doe\"")
        #expect(try MailAddress(parsing: "usér@exämple.org").domain == "exämple.org")
    }

    @Test(
        "refuses malformed and routing addresses",
        arguments: [
            "", "alice", "@example.org", "alice@", "a..b@example.org", ".a@example.org", "a.@example.org",
            "alice@-example.org", "alice@example..org", "alice@exa_mple.org", "alice%other.org@example.org",
            "host!alice@example.org", "\"alice@other.org\"@example.org", "alice@[127.0.0.1]", "a b@example.org",
            "alice@example.org.", String(repeating: "a", count: 65) + "@example.org",
        ])
    func refuses(text: String) {
        #expect(throws: AddressError.self) { try MailAddress(parsing: text) }
    }

    @Test func addressLiteralOnlyWhenAllowed() throws {
        #expect(try MailAddress(parsing: "postmaster@[192.0.2.1]", allowAddressLiteral: true).domain == "[192.0.2.1]")
        #expect(throws: AddressError.addressLiteral) { try MailAddress(parsing: "postmaster@[192.0.2.1]") }
    }

    @Test func subaddressDetail() throws {
        let (base, detail) = try #require(try MailAddress(parsing: "bob+lists+x@example.org").splittingDetail())
        #expect(base.description == "bob@example.org")
        #expect(detail == "lists+x")
        #expect(try MailAddress(parsing: "bob@example.org").splittingDetail() == nil)
        #expect(try MailAddress(parsing: "+x@example.org").splittingDetail() == nil)
    }
}
