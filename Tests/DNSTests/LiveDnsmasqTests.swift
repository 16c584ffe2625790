import DNS
import Foundation
import Testing

/// Against a real dnsmasq over the loopback network (UDP, NIO transport).
@Suite("DNS resolver against a live dnsmasq")
struct LiveDnsmasqTests {
    @Test func mxInPreferenceOrder() async throws {
        try await withDnsmasq { server in
            let dns = try server.resolver()
            let mx = try #require(try await dns.mx("remote.example").value)
            #expect(
                mx == [
                    MXData(preference: 10, exchange: name("mx.remote.example")),
                    MXData(preference: 20, exchange: name("mx2.remote.example")),
                ])
            let answer = try await dns.query("Remote.Example.", .mx)
            #expect(answer.rcode == .noError)
            #expect(answer.records.count == 2)
            #expect(answer.records.allSatisfy { $0.name == name("remote.example") })
        }
    }

    @Test func addressesAndNoData() async throws {
        try await withDnsmasq { server in
            let dns = try server.resolver()
            let a = try await dns.query("mx.remote.example", .a)
            #expect(a.records.map(\.address) == [ip("127.0.0.2")])
            let aaaa = try await dns.query("mx.remote.example", .aaaa)
            #expect(aaaa.kind == .noData)
            #expect(aaaa.rcode == .noError)
            #expect(aaaa.records.isEmpty && aaaa.isVoid)
            #expect(try await dns.addresses("mx.remote.example") == .found([ip("127.0.0.2")]))
        }
    }

    @Test func txtRecord() async throws {
        try await withDnsmasq { server in
            let dns = try server.resolver()
            #expect(try await dns.txt("remote.example") == .found(["v=spf1 ip4:127.0.0.0/8 -all"]))
        }
    }

    @Test func ptrRecord() async throws {
        try await withDnsmasq { server in
            let dns = try server.resolver()
            #expect(try await dns.ptr(ip: "127.0.0.2") == .found([name("mx.remote.example")]))
        }
    }

    @Test func cnameIsFollowed() async throws {
        try await withDnsmasq { server in
            let dns = try server.resolver()
            let answer = try await dns.query("alias.remote.example", .a)
            #expect(answer.records.map(\.address) == [ip("127.0.0.2")])
            #expect(answer.canonicalName == name("mx.remote.example"))
            #expect(answer.aliases.map(\.name) == [name("alias.remote.example")])
            #expect(try await dns.addresses("alias.remote.example") == .found([ip("127.0.0.2")]))
        }
    }

    @Test func nxDomainUnderLocalZone() async throws {
        try await withDnsmasq { server in
            let dns = try server.resolver()
            let answer = try await dns.query("nope.remote.example", .a)
            #expect(answer.kind == .nxDomain)
            #expect(answer.rcode == .nxDomain)
            #expect(try await dns.mx("nope.remote.example") == .nxDomain)
            #expect(try await dns.txt("nope.remote.example") == .nxDomain)
        }
    }

    @Test func secondNameserverAnswersWhenTheFirstIsSilent() async throws {
        try await withDnsmasq { server in
            let silent = try LoopbackSocket(tcp: false)
            let dns = DNSResolver(
                configuration: DNSResolverConfiguration(
                    nameservers: [
                        try DNSNameserver(host: "127.0.0.1", port: Int(silent.port)),
                        try DNSNameserver(host: "127.0.0.1", port: server.port),
                    ],
                    timeout: .milliseconds(300)))
            let started = ContinuousClock.now
            #expect(try await dns.query("mx.remote.example", .a).records.map(\.address) == [ip("127.0.0.2")])
            #expect(ContinuousClock.now - started >= .milliseconds(250))
            _ = silent
        }
    }
}

/// Timing bounds of the resolver; run alone by `.ci/run`, away from a loaded test run.
@Suite("DNS resolver timeouts")
struct DNSTimeoutLatencyTests {
    @Test func timeoutWhenNothingAnswers() async throws {
        // A bound socket that never reads: the queries are delivered and never answered.
        let silent = try LoopbackSocket(tcp: false)
        let dns = DNSResolver(
            configuration: DNSResolverConfiguration(
                nameservers: [try DNSNameserver(host: "127.0.0.1", port: Int(silent.port))], timeout: .milliseconds(200),
                attempts: 2))
        let started = ContinuousClock.now
        await #expect(throws: DNSError.timeout) { try await dns.query("mx.remote.example", .a) }
        let elapsed = ContinuousClock.now - started
        // Two attempts of 200 ms each, and not much more.
        #expect(elapsed >= .milliseconds(380))
        #expect(elapsed < .seconds(3))
        // Both attempts reached the socket.
        var received = 0
        while silent.readable(milliseconds: 0), silent.receive() != nil { received += 1 }
        #expect(received == 2)
    }
}
