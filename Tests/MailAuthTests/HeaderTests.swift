import DNS
import MailAuth
import Testing

/// `Received-SPF` (RFC 7208 §9.1) and the `spf=` clause of `Authentication-Results`
/// (RFC 8601 §2.7.2), and the identities they name (§2.3, §2.4).
@Suite("SPF identities and header fields")
struct HeaderTests {
    private let zone = ZoneDNS([
        "example.com": [.txt("v=spf1 ip4:192.0.2.1 -all")],
        "mail.example.net": [.txt("v=spf1 a -all"), .a(IPAddress("192.0.2.1")!)],
        "broken.example": [.txt("v=spf1 bogus -all")],
    ])
    private var checker: SPFChecker { SPFChecker(dns: zone, configuration: SPFConfiguration(receiver: "mybox.example.org")) }
    private let client = IPAddress("192.0.2.1")!

    @Test func passFromMailFrom() async {
        let verdict = await checker.checkMailFrom(ip: client, reversePath: "myname@example.com", helo: "foo.example.com")
        #expect(verdict.result == .pass)
        #expect(verdict.outcome.mechanism == "ip4:192.0.2.1")
        let unfolded = verdict.receivedSPF(receiver: "mybox.example.org").replacingOccurrences(of: "\r\n", with: "")
        #expect(
            unfolded
                == "Received-SPF: pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as "
                + "permitted sender) client-ip=192.0.2.1; envelope-from=\"myname@example.com\"; helo=foo.example.com; "
                + "identity=mailfrom; receiver=mybox.example.org; mechanism=\"ip4:192.0.2.1\";")
        #expect(verdict.receivedSPF(receiver: "mybox.example.org").split(separator: "\r\n").allSatisfy { $0.count <= 78 })
        #expect(verdict.authenticationResultsClause == "spf=pass smtp.mailfrom=myname@example.com")
    }

    @Test func nullReversePathChecksPostmasterAtHELO() async {
        let verdict = await checker.checkMailFrom(ip: IPAddress("192.0.2.9")!, reversePath: "", helo: "mail.example.net")
        #expect(verdict.identity == .mailfrom)
        #expect(verdict.sender == "postmaster@mail.example.net")
        #expect(verdict.domain == "mail.example.net")
        #expect(verdict.result == .fail)
        #expect(verdict.outcome.explanation == "192.0.2.9 is not a permitted sender for mail.example.net")
        let header = verdict.receivedSPF(receiver: "mybox.example.org").replacingOccurrences(of: "\r\n", with: "")
        #expect(
            header.hasPrefix("Received-SPF: fail (mybox.example.org: domain of postmaster@mail.example.net does not designate"))
        #expect(header.contains(" envelope-from=\"<>\";"))
        #expect(header.hasSuffix(" mechanism=-all;"))
        #expect(header.contains(" envelope-from=\"<>\"; helo=mail.example.net;"))
        #expect(verdict.authenticationResultsClause == "spf=fail smtp.mailfrom=postmaster@mail.example.net")
    }

    @Test func heloIdentity() async {
        let verdict = await checker.checkHELO(ip: client, helo: "mail.example.net")
        #expect(verdict.result == .pass)
        #expect(verdict.sender == "postmaster@mail.example.net")
        let header = verdict.receivedSPF(receiver: "mybox.example.org").replacingOccurrences(of: "\r\n", with: "")
        #expect(header.contains("domain of mail.example.net designates"))
        #expect(!header.contains("envelope-from"))
        #expect(header.contains(" identity=helo;"))
        #expect(verdict.authenticationResultsClause == "spf=pass smtp.helo=mail.example.net")
    }

    @Test func heloThatIsNoDomainGivesNone() async {
        #expect(await checker.checkHELO(ip: client, helo: "[192.0.2.1]").result == .none)
        #expect(await checker.checkHELO(ip: client, helo: "OEMCOMPUTER").result == .none)
    }

    @Test func errorsCarryTheProblem() async {
        let verdict = await checker.checkMailFrom(ip: client, reversePath: "\"odd user\"@broken.example", helo: "h.example")
        #expect(verdict.result == .permerror)
        let header = verdict.receivedSPF(receiver: "mybox.example.org").replacingOccurrences(of: "\r\n", with: "")
        #expect(header.contains(" problem=\"broken.example: unknown mechanism \\\"bogus\\\"\";"))
        #expect(header.contains(" envelope-from=\"\\\"odd user\\\"@broken.example\";"))
        #expect(
            verdict.authenticationResultsClause
                == "spf=permerror reason=\"broken.example: unknown mechanism \\\"bogus\\\"\" smtp.mailfrom=\"odd user\"@broken.example"
        )
    }

    @Test func clientIPv6IsQuoted() async {
        let verdict = await checker.checkHELO(ip: IPAddress("2001:db8::1")!, helo: "mail.example.net")
        #expect(verdict.result == .fail)
        #expect(verdict.receivedSPF(receiver: "r.example").contains("client-ip=\"2001:db8::1\";"))
    }
}
