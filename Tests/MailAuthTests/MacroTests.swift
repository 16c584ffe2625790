import DNS
import Testing

@testable import MailAuth

/// RFC 7208 §7: macro syntax and the expansion examples of §7.4.
@Suite("SPF macros")
struct MacroTests {
    private func expand(
        _ text: String, ip: String = "192.0.2.3", sender: String = "strong-bad@email.example.com",
        domain: String = "email.example.com", use: SPFMacroString.Use = .domainSpec
    ) async throws -> String {
        let evaluation = SPFEvaluation(
            dns: ZoneDNS([:]), configuration: SPFConfiguration(receiver: "mx.example.org", now: { 1_700_000_000 }),
            ip: try #require(IPAddress(ip)), sender: SPFSender(sender), helo: "helo.example.net")
        return try await evaluation.expand(SPFMacroString(parsing: Substring(text), as: use), domain: domain)
    }

    @Test(arguments: [
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
    ])
    func rfcExamplesIPv4(macro: String, expected: String) async throws {
        #expect(try await expand(macro) == expected)
    }

    @Test func rfcExampleIPv6() async throws {
        #expect(
            try await expand("%{ir}.%{v}._spf.%{d2}", ip: "2001:db8::cb01")
                == "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com")
    }

    @Test func escapesAndUpperCase() async throws {
        #expect(try await expand("a%%b%_c%-d.example.com") == "a%b c%20d.example.com")
        #expect(
            try await expand("%{L}.example.com", sender: "~jack&jill=up-a_b3.c@x.example")
                == "~jack%26jill%3Dup-a_b3.c.example.com")
        #expect(try await expand("%{l2r+-}.example.com", sender: "foo-bar+zip+quux@x.example") == "bar.foo.example.com")
        #expect(try await expand("%{h}") == "helo.example.net")
    }

    @Test func explanationOnlyLetters() async throws {
        #expect(
            try await expand("%{c} %{r} %{t}", ip: "::ffff:192.0.2.3", use: .explanation) == "192.0.2.3 mx.example.org 1700000000"
        )
        #expect(try await expand("%{c}", ip: "2001:DB8::1", use: .explanation) == "2001:db8::1")
        #expect(throws: SPFSyntaxError.self) { try SPFMacroString(parsing: "%{c}.example.com", as: .domainSpec) }
    }

    @Test(arguments: ["%{x}", "%{d0}", "%{d", "%(d)", "%", "%a", "a b", "%{d2q}", "caf\u{e9}"])
    func syntaxErrors(text: String) {
        #expect(throws: SPFSyntaxError.self) { try SPFMacroString(parsing: Substring(text), as: .domainSpec) }
    }

    @Test func domainEnd() throws {
        let valid = ["example.com", "example.com.", "%{d}", "foo.%{d2}", "a.xn--zckzah", "x.%-"]
        let invalid = ["museum", "museum.", "example.123", "example.-com", "example.com:8080", "%{d}."]
        for text in valid { #expect(try SPFMacroString(parsing: Substring(text), as: .domainSpec).isDomainSpec, "\(text)") }
        for text in invalid { #expect(try !SPFMacroString(parsing: Substring(text), as: .domainSpec).isDomainSpec, "\(text)") }
    }

    @Test func longNamesAreTruncatedFromTheLeft() {
        let long = String(repeating: "abcdefghi.", count: 30) + "example.com."
        let name = SPFDomain.queryName(long)
        #expect(name.utf8.count <= 253)
        #expect(name.hasSuffix("abcdefghi.example.com"))
        #expect(name.hasPrefix("abcdefghi."))
    }
}
