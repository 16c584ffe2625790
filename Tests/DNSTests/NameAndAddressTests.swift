import DNS
import Testing

@Suite("DNS names (RFC 1035 §2.3.4, RFC 4343) and IP addresses (RFC 4291, RFC 5952)")
struct NameAndAddressTests {
    @Test func caseInsensitiveAndTrailingDot() throws {
        let a = try DNSName("Mail.Example.COM.")
        let b = try DNSName("mail.example.com")
        #expect(a == b)
        #expect(a.description == "mail.example.com")
        #expect(a.labels.count == 3)
        #expect(a.wireLength == 18)
        #expect(try DNSName(".") == .root)
        #expect(DNSName.root.description == ".")
        #expect(try DNSName("_dmarc.example.org").description == "_dmarc.example.org")
        #expect(try DNSName("sel._domainkey.example.org").isSubdomain(of: DNSName("example.org")))
        #expect(try !DNSName("example.org").isSubdomain(of: DNSName("mail.example.org")))
    }

    @Test(
        "refuses names that cannot be sent",
        arguments: [
            "", "a..b", ".example", "exämple.org", "bücher.de", "a b.example", "tab\t.example", "a\\",
            String(repeating: "a", count: 64) + ".example",
            // 4 × 63-octet labels + 1 × 1-octet: 4·64 + 2 + 1 = 259 octets on the wire.
            Array(repeating: String(repeating: "b", count: 63), count: 4).joined(separator: ".") + ".c",
        ])
    func refuses(text: String) {
        #expect(throws: DNSError.self) { try DNSName(text) }
        do {
            _ = try DNSName(text)
        } catch let error as DNSError {
            guard case .invalidName = error else {
                Issue.record("expected invalidName, got \(error)")
                return
            }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func lengthLimitsAreInclusive() throws {
        let label63 = String(repeating: "x", count: 63)
        #expect(try DNSName(label63 + ".example").labels[0].count == 63)
        // 3 × 64 + 62 + 1 = 255 octets: the largest name.
        let longest = [label63, label63, label63, String(repeating: "y", count: 61)].joined(separator: ".")
        #expect(try DNSName(longest).wireLength == 255)
        #expect(throws: DNSError.self) { try DNSName(longest + "y") }
    }

    @Test func escapesRoundTrip() throws {
        let odd = try DNSName("a\\.b\\032c\\\\.example")
        #expect(odd.labels[0] == Array("a.b c\\".utf8))
        #expect(odd.description == "a\\.b\\032c\\\\.example")
        #expect(try DNSName(odd.description) == odd)
    }

    @Test func reverseLookupNames() {
        #expect(DNSName.reverseLookupName(for: ip("192.0.2.1")).description == "1.2.0.192.in-addr.arpa")
        // RFC 3596 §2.5's example.
        #expect(
            DNSName.reverseLookupName(for: ip("4321:0:1:2:3:4:567:89ab")).description
                == "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa")
    }

    @Test(
        "IP addresses parse and print in RFC 5952 form",
        arguments: [
            ("192.0.2.1", "192.0.2.1"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
            ("2001:0db8::0001", "2001:db8::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("::", "::"), ("::1", "::1"), ("1::", "1::"),
            ("2001:DB8::A:B", "2001:db8::a:b"), ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
            ("::192.0.2.1", "::c000:201"), ("fe80:0:0:0:0:0:0:0", "fe80::"),
        ])
    func addresses(text: String, canonical: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test(
        "refuses malformed addresses",
        arguments: [
            "", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1.2.3.-4", "1::2::3", "12345::", "::g", ":1", "1:",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8:9", "fe80::1%eth0", "[::1]", "::1.2.3", "1.2.3.4::", "example.com",
        ])
    func refusesAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func nameservers() throws {
        #expect(try DNSNameserver(host: "127.0.0.1", port: 5353).description == "127.0.0.1:5353")
        #expect(try DNSNameserver(host: "[::1]").description == "[::1]:53")
        #expect(throws: DNSError.self) { try DNSNameserver(host: "dns.example") }
        #expect(throws: DNSError.self) { try DNSNameserver(host: "127.0.0.1", port: 0) }
        #expect(throws: DNSError.self) { try DNSNameserver(host: "127.0.0.1", port: 65536) }
    }
}
