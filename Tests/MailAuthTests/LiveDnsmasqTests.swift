import DNS
import MailAuth
import PostaTestSupport
import Testing

/// End to end through the project's `DNSResolver` against a real dnsmasq on loopback.
@Suite("SPF through DNSResolver against a live dnsmasq")
struct LiveDnsmasqTests {
    static let records = [
        "local=/example.test/",
        #"txt-record=example.test,"v=spf1 a:mail.example.test mx include:inc.example.test ptr exists:%{ir}.bl.example.test -all exp=why.example.test""#,
        #"txt-record=inc.example.test,"v=spf1 ip4:127.0.0.4 ~all""#,
        #"txt-record=why.example.test,"%{i} is not one of %{d}'s senders""#,
        "host-record=mail.example.test,127.0.0.2",
        "mx-host=example.test,mx.example.test,10",
        "host-record=mx.example.test,127.0.0.3",
        "host-record=host5.example.test,127.0.0.5",
        "host-record=6.0.0.127.bl.example.test,127.0.0.2",
    ]

    @Test func checkHostThroughTheResolver() async throws {
        let server = try await Dnsmasq.start(records: Self.records, probe: "mail.example.test")
        defer { server.stop() }
        let checker = SPFChecker(dns: try server.resolver(attempts: 1, cacheEntries: 0))
        func check(_ ip: String, _ domain: String = "example.test") async -> SPFOutcome {
            await checker.checkHost(ip: IPAddress(ip)!, domain: domain, sender: "user@\(domain)", helo: "client.example")
        }
        #expect(await check("127.0.0.2").mechanism == "a:mail.example.test")
        #expect(await check("127.0.0.3").mechanism == "mx")
        #expect(await check("127.0.0.4").mechanism == "include:inc.example.test")
        #expect(await check("127.0.0.5").mechanism == "ptr")  // dnsmasq answers the PTR of a host-record
        #expect(await check("127.0.0.6").mechanism == "exists:%{ir}.bl.example.test")
        let fail = await check("127.0.0.9")
        #expect(fail.result == .fail)
        #expect(fail.explanation == "127.0.0.9 is not one of example.test's senders")
        #expect(await check("127.0.0.9", "nope.example.test").result == .none)
        #expect(await check("127.0.0.9", "mail.example.test").result == .none)
    }

    @Test func unreachableNameserverIsTemperror() async throws {
        var configuration = DNSResolverConfiguration(
            nameservers: [try DNSNameserver(host: "127.0.0.1", port: 9)], timeout: .milliseconds(200), attempts: 1)
        configuration.cache.maxEntries = 0
        let checker = SPFChecker(dns: DNSResolver(configuration: configuration))
        let outcome = await checker.checkHost(
            ip: IPAddress("192.0.2.1")!, domain: "example.test", sender: "a@example.test", helo: "h.example")
        #expect(outcome.result == .temperror)
    }
}
