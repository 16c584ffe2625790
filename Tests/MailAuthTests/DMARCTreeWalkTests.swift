import DNS
import Testing

@testable import MailAuth

/// RFC 9989 §4.10: the DNS Tree Walk, policy discovery (§4.10.1) and Organizational Domains
/// (§4.10.2), with the examples of Appendix B.4.
@Suite("DMARC tree walk")
struct DMARCTreeWalkTests {
    private func domain(_ text: String) -> DMARCDomain { DMARCDomain(text)! }

    @Test func targetsOfAShortName() {
        #expect(
            DMARCLookups.walkTargets(from: domain("a.mail.example.com")).map(\.name) == [
                "a.mail.example.com", "mail.example.com", "example.com", "com",
            ])
        #expect(DMARCLookups.walkTargets(from: domain("com")).map(\.name) == ["com"])
    }

    /// §4.10: the eight queries for a.b.c.d.e.f.g.h.i.j.mail.example.com.
    @Test func deepNamesAreShortenedToSevenLabels() {
        #expect(
            DMARCLookups.walkTargets(from: domain("a.b.c.d.e.f.g.h.i.j.mail.example.com")).map(\.name) == [
                "a.b.c.d.e.f.g.h.i.j.mail.example.com", "g.h.i.j.mail.example.com", "h.i.j.mail.example.com",
                "i.j.mail.example.com",
                "j.mail.example.com", "mail.example.com", "example.com", "com",
            ])
        // Exactly eight labels: eight queries, no name skipped.
        #expect(DMARCLookups.walkTargets(from: domain("a.b.c.d.e.f.g.h")).count == 8)
        for labels in 1...40 {
            let name = (0..<labels).map { "l\($0)" }.joined(separator: ".")
            #expect(DMARCLookups.walkTargets(from: domain(name)).count == min(labels, 8))
        }
    }

    private func organizational(_ start: String, _ zone: [String: [ZoneDNS.Entry]]) async throws -> String {
        var lookups = DMARCLookups(dns: ZoneDNS(zone), limits: DMARCLimits())
        return try await lookups.organizationalDomain(of: domain(start)).get().name
    }

    @Test func organizationalDomainIsTheShortestNameWithARecord() async throws {
        let zone: [String: [ZoneDNS.Entry]] = [
            "_dmarc.mail.example.com": [.txt("v=DMARC1; p=none")], "_dmarc.example.com": [.txt("v=DMARC1; p=reject")],
        ]
        #expect(try await organizational("a.mail.example.com", zone) == "example.com")
        // No record anywhere: the domain itself.
        #expect(try await organizational("a.mail.example.com", [:]) == "a.mail.example.com")
    }

    @Test func psdNStopsTheWalk() async throws {
        let zone: [String: [ZoneDNS.Entry]] = [
            "_dmarc.mail.example.com": [.txt("v=DMARC1; p=none; psd=n")], "_dmarc.example.com": [.txt("v=DMARC1; p=reject")],
        ]
        #expect(try await organizational("a.mail.example.com", zone) == "mail.example.com")
    }

    @Test func psdYMakesTheNameBelowItOrganizational() async throws {
        let zone: [String: [ZoneDNS.Entry]] = ["_dmarc.com": [.txt("v=DMARC1; p=reject; psd=y")]]
        #expect(try await organizational("a.mail.example.com", zone) == "example.com")
        // At the start of the walk psd=y does not count (rule 2): the start has the fewest labels.
        #expect(try await organizational("com", zone) == "com")
    }

    /// Appendix B.4.3: giant.bank.example, mail.giant.bank.example, mail.mega.bank.example.
    @Test func publicSuffixExample() async throws {
        let zone: [String: [ZoneDNS.Entry]] = [
            "_dmarc.bank.example": [.txt("v=DMARC1; p=reject; psd=y")],
            "_dmarc.giant.bank.example": [.txt("v=DMARC1; p=quarantine")],
        ]
        #expect(try await organizational("giant.bank.example", zone) == "giant.bank.example")
        #expect(try await organizational("mail.giant.bank.example", zone) == "giant.bank.example")
        #expect(try await organizational("mail.mega.bank.example", zone) == "mega.bank.example")
    }

    @Test func severalRecordsAtANameCountAsNone() async throws {
        let zone: [String: [ZoneDNS.Entry]] = [
            "_dmarc.mail.example.com": [.txt("v=DMARC1; p=none"), .txt("v=DMARC1; p=reject")],
            "_dmarc.example.com": [.txt("v=spf1 -all"), .txt("v=DMARC1; p=reject")],
        ]
        #expect(try await organizational("mail.example.com", zone) == "example.com")
        var lookups = DMARCLookups(dns: ZoneDNS(zone), limits: DMARCLimits())
        #expect(await lookups.lookup(domain("mail.example.com")) == DMARCRecordLookup.none)
    }

    @Test func dnsFailureIsTemporary() async {
        var lookups = DMARCLookups(
            dns: ZoneDNS(["_dmarc.example.com": [.timeout], "_dmarc.a.example.com": []]), limits: DMARCLimits())
        guard case .failure = await lookups.organizationalDomain(of: domain("a.example.com")) else {
            Issue.record("a timeout must leave the Organizational Domain open")
            return
        }
    }

    /// Appendix B.4.2: policy discovery for a deep Author Domain queries eight names, each once.
    @Test func deepPolicyDiscoveryMakesEightQueries() async {
        let dns = LoggingDNS(["_dmarc.example.com": [.txt("v=DMARC1; p=reject")]])
        let checker = DMARCChecker(dns: dns)
        let evaluation = await checker.evaluate(
            Mail.message(
                from: "a.b.c.d.e.f.g.h.i.j.k.example.com", spf: ("example.com", .pass), dkim: [("signing.example.com", .pass)]))
        #expect(evaluation.result == .pass)
        #expect(evaluation.policyDomain == "example.com")
        #expect(evaluation.organizationalDomain == "example.com")
        let queries = dns.queries
        #expect(
            Array(queries.prefix(8)) == [
                "_dmarc.a.b.c.d.e.f.g.h.i.j.k.example.com", "_dmarc.g.h.i.j.k.example.com", "_dmarc.h.i.j.k.example.com",
                "_dmarc.i.j.k.example.com", "_dmarc.j.k.example.com", "_dmarc.k.example.com", "_dmarc.example.com", "_dmarc.com",
            ])
        // The SPF domain is the Organizational Domain already known; DKIM's walk adds one name.
        #expect(Set(queries).count == queries.count)
        #expect(queries.count == 9)
    }

    /// A hostile Author Domain of 122 labels and many DKIM domains costs a bounded number of queries.
    @Test func queriesAreBoundedForHostileMessages() async {
        let dns = LoggingDNS([:])
        // 122 labels, 251 octets: as deep as a domain name gets.
        let deep = String(repeating: "a.", count: 120) + "example.com"
        let signatures = (0..<200).map { ("d\($0 % 10)." + deep, DMARCDKIMResult.pass) }
        let evaluation = await DMARCChecker(dns: dns).evaluate(
            Mail.message(from: deep, spf: ("s." + deep, .pass), dkim: signatures))
        #expect(evaluation.result == DMARCResult.none)
        #expect(dns.queries.count <= 8)
        let withRecord = LoggingDNS(["_dmarc.example.com": [.txt("v=DMARC1; p=reject")]])
        let passing = await DMARCChecker(dns: withRecord).evaluate(
            Mail.message(from: deep, spf: ("s." + deep, .pass), dkim: signatures))
        #expect(passing.result == .pass)
        #expect(withRecord.queries.count <= 8 * (2 + DMARCLimits().dkimDomains))
    }
}
