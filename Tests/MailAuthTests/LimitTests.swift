import DNS
import MailAuth
import Testing

/// RFC 7208 §4.6.4: the limits on DNS-querying terms, void lookups, MX and PTR names.
@Suite("SPF processing limits")
struct LimitTests {
    private let client = IPAddress("192.0.2.10")!

    private func check(_ zone: [String: [ZoneDNS.Entry]], limits: SPFLimits = SPFLimits()) async -> SPFOutcome {
        let checker = SPFChecker(dns: ZoneDNS(zone), configuration: SPFConfiguration(limits: limits))
        return await checker.checkHost(ip: client, domain: "example.com", sender: "a@example.com", helo: "h.example.com")
    }

    /// example.com includes `count` domains that do not match, then the client's network.
    private func includes(_ count: Int) -> [String: [ZoneDNS.Entry]] {
        var zone: [String: [ZoneDNS.Entry]] = [:]
        var record = "v=spf1"
        for index in 0..<count {
            record += " include:i\(index).example.com"
            zone["i\(index).example.com"] = [.txt("v=spf1 -all")]
        }
        zone["example.com"] = [.txt(record + " ip4:192.0.2.0/24 -all")]
        return zone
    }

    @Test func tenDNSTermsAreAllowedNotEleven() async {
        #expect(await check(includes(10)).result == .pass)
        let over = await check(includes(11))
        #expect(over.result == .permerror)
        #expect(over.problem?.contains("DNS-querying terms") == true)
        #expect(await check(includes(3), limits: SPFLimits(dnsTerms: 2)).result == .permerror)
    }

    @Test func redirectLoopEndsInPermerror() async {
        #expect(await check(["example.com": [.txt("v=spf1 redirect=example.com")]]).result == .permerror)
    }

    @Test func twoVoidLookupsAreAllowedNotThree() async {
        let two: [String: [ZoneDNS.Entry]] = ["example.com": [.txt("v=spf1 a:n1.example.com exists:n2.example.com ?all")]]
        #expect(await check(two).result == .neutral)
        let three: [String: [ZoneDNS.Entry]] = [
            "example.com": [.txt("v=spf1 a:n1.example.com mx:n2.example.com ptr:n3.example.com ?all")],
            "n2.example.com": [.a(IPAddress("192.0.2.99")!)],
        ]
        let outcome = await check(three)
        #expect(outcome.result == .permerror)
        #expect(outcome.problem?.contains("void") == true)
    }

    @Test func moreThanTenMXRecordsIsPermerror() async {
        func zone(_ count: Int) -> [String: [ZoneDNS.Entry]] {
            [
                "example.com": [.txt("v=spf1 mx -all")] + (0..<count).map { .mx("mx\($0).example.com") },
                "mx0.example.com": [.a(IPAddress("192.0.2.10")!)],
            ]
        }
        #expect(await check(zone(10)).result == .pass)
        #expect(await check(zone(11)).result == .permerror)
    }

    @Test func onlyTenPTRNamesAreValidated() async {
        func zone(matchAt position: Int) -> [String: [ZoneDNS.Entry]] {
            var zone: [String: [ZoneDNS.Entry]] = ["example.com": [.txt("v=spf1 ptr -all")]]
            zone["10.2.0.192.in-addr.arpa"] = (0..<11).map { .ptr("p\($0).example.com") }
            zone["p\(position).example.com"] = [.a(IPAddress("192.0.2.10")!)]
            return zone
        }
        #expect(await check(zone(matchAt: 9)).result == .pass)
        #expect(await check(zone(matchAt: 10)).result == .fail)
    }

    @Test func dnsFailureIsTemperror() async {
        let outcome = await check(["example.com": [.txt("v=spf1 a:t.example.com -all")], "t.example.com": [.timeout]])
        #expect(outcome.result == .temperror)
        #expect(await check(["example.com": [.timeout]]).result == .temperror)
    }
}
