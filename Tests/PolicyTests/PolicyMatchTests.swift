import DNS
import Testing

@testable import Policy

@Suite("Policy: patterns, members, groups, negation")
struct PolicyMatchTests {
    @Test("client networks, HELO domains, address patterns, SASL names")
    func patterns() {
        #expect(PolicyPattern.matches("192.0.2.0/24", attribute: .client, value: "192.0.2.77"))
        #expect(!PolicyPattern.matches("192.0.2.0/24", attribute: .client, value: "192.0.3.1"))
        #expect(PolicyPattern.matches("2001:db8::/32", attribute: .client, value: "2001:db8:1::5"))
        #expect(!PolicyPattern.matches("2001:db8::/32", attribute: .client, value: "192.0.2.1"))
        #expect(PolicyPattern.matches(".example.org", attribute: .helo, value: "mx.Example.org"))
        #expect(PolicyPattern.matches(".example.org", attribute: .helo, value: "example.org"))
        #expect(!PolicyPattern.matches("example.org", attribute: .helo, value: "mx.example.org"))
        #expect(PolicyPattern.matches("@example.org", attribute: .sender, value: "Alice@EXAMPLE.org"))
        #expect(!PolicyPattern.matches("@example.org", attribute: .sender, value: "a@sub.example.org"))
        #expect(PolicyPattern.matches(".example.org", attribute: .recipient, value: "a@sub.example.org"))
        #expect(PolicyPattern.matches("postmaster@", attribute: .recipient, value: "postmaster@x.example"))
        #expect(PolicyPattern.matches("<>", attribute: .sender, value: ""))
        #expect(!PolicyPattern.matches("*", attribute: .sender, value: ""))
        #expect(PolicyPattern.matches("Bob", attribute: .sasl, value: "bob"))
        #expect(!PolicyPattern.matches("bob", attribute: .sasl, value: ""))
    }

    @Test("networks mask addresses; bad text is refused")
    func networks() {
        #expect(IPNetwork("192.0.2.130/25")?.description == "192.0.2.128/25")
        #expect(IPNetwork("192.0.2.1/33") == nil)
        #expect(IPNetwork("nonsense") == nil)
        #expect(IPAddress.network(of: "198.51.100.9", ipv4Prefix: 24) == "198.51.100.0/24")
        #expect(IPAddress.network(of: "2001:db8::1", ipv4Prefix: 24) == "2001:db8::/64")
    }

    func policy(_ members: [(PolicyAttribute, String, Bool)]) -> PolicyDefinition {
        PolicyDefinition(
            id: 1, name: "p", priority: 1, enabled: true, description: "",
            members: members.enumerated().map { PolicyMember(id: Int64($0), attribute: $1.0, pattern: $1.1, negate: $1.2) },
            rules: [])
    }

    @Test("attributes AND, patterns of one attribute OR, negation excludes, groups expand")
    func members() {
        let request = PolicyRequest(
            stage: .rcpt, clientAddress: "192.0.2.5", sender: "a@remote.example", recipient: "b@example.org")
        #expect(policy([]).applies(to: request, groups: [:]))
        #expect(
            policy([(.client, "192.0.2.0/24", false), (.recipient, "@example.org", false)]).applies(to: request, groups: [:]))
        #expect(
            !policy([(.client, "192.0.2.0/24", false), (.recipient, "@other.example", false)]).applies(to: request, groups: [:]))
        #expect(
            policy([(.recipient, "@other.example", false), (.recipient, "@example.org", false)]).applies(to: request, groups: [:])
        )
        #expect(!policy([(.client, "192.0.2.0/24", false), (.client, "192.0.2.5", true)]).applies(to: request, groups: [:]))
        #expect(policy([(.sender, "@example.org", true)]).applies(to: request, groups: [:]))
        let groups = ["internal": PolicyGroup(id: 1, name: "internal", entries: ["10.0.0.0/8", "192.0.2.0/24"])]
        #expect(!policy([(.client, "%internal", true)]).applies(to: request, groups: groups))
        #expect(policy([(.client, "%internal", false)]).applies(to: request, groups: groups))
        #expect(!policy([(.client, "%missing", false)]).applies(to: request, groups: groups))
    }

    @Test("HELO names: domains, literals, FQDN")
    func heloNames() {
        #expect(HELOName("mx.example.org").isFullyQualified)
        #expect(!HELOName("localhost").isFullyQualified)
        #expect(HELOName("[192.0.2.1]") == .addressLiteral(IPAddress("192.0.2.1")!))
        #expect(HELOName("[IPv6:2001:db8::1]") == .addressLiteral(IPAddress("2001:db8::1")!))
        #expect(HELOName("bad_name!") == .invalid)
        #expect(HELOName("-x.example") == .invalid)
        #expect(HELOName("[999.1.1.1]") == .invalid)
        #expect(!HELOName("192.0.2.1").isFullyQualified)
    }
}
