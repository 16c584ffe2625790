import DNS
import PostaTestSupport
import Testing

@Suite("DNS resolver logic with a fake transport")
struct ResolverTests {
    @Test func retriesAcrossNameserversInRounds() async throws {
        let transport = FakeTransport { call in
            guard call.server.address == ip("192.0.2.2") else { throw DNSError.timeout }
            return reply(to: call.query, answers: [aRecord("a.example.org", "198.51.100.1")])
        }
        let dns = resolver(servers: ["192.0.2.1", "192.0.2.2"], transport: transport)
        let answer = try await dns.query("a.example.org", .a)
        #expect(answer.records.map(\.address) == [ip("198.51.100.1")])
        #expect(transport.calls.map(\.server.address) == [ip("192.0.2.1"), ip("192.0.2.2")])
        #expect(transport.calls.allSatisfy { $0.transport == .udp })
    }

    @Test func everyQueryHasAFreshRandomIDAndEDNS() async throws {
        let transport = FakeTransport { _ in throw DNSError.timeout }
        let dns = resolver(servers: ["192.0.2.1", "192.0.2.2"], attempts: 3, transport: transport)
        await #expect(throws: DNSError.timeout) { try await dns.query("a.example.org", .a) }
        #expect(transport.calls.count == 6)
        #expect(Set(transport.calls.map(\.query.header.id)).count > 1)
        #expect(transport.calls.allSatisfy { $0.query.edns?.udpPayloadSize == 1232 && $0.query.header.recursionDesired })
        #expect(
            transport.calls.map(\.server.address)
                == [ip("192.0.2.1"), ip("192.0.2.2"), ip("192.0.2.1"), ip("192.0.2.2"), ip("192.0.2.1"), ip("192.0.2.2")])
    }

    @Test(arguments: [(UInt8(2), DNSError.serverFailure), (5, .refused), (4, .unexpectedResponseCode(.notImp))])
    func errorResponseCodesAreThrownAfterTryingEveryServer(rcode: UInt8, expected: DNSError) async throws {
        let transport = FakeTransport { call in reply(to: call.query, rcode: rcode) }
        let dns = resolver(servers: ["192.0.2.1", "192.0.2.2"], transport: transport)
        await #expect(throws: expected) { try await dns.query("a.example.org", .mx) }
        #expect(transport.calls.count == 4)
    }

    @Test func serverFailureOutweighsTimeout() async throws {
        let transport = FakeTransport { call in
            if call.server.address == ip("192.0.2.1") { throw DNSError.timeout }
            return reply(to: call.query, rcode: 2)
        }
        let dns = resolver(servers: ["192.0.2.1", "192.0.2.2"], transport: transport)
        await #expect(throws: DNSError.serverFailure) { try await dns.query("a.example.org", .txt) }
    }

    @Test func truncatedAnswerIsAskedAgainOverTCP() async throws {
        let transport = FakeTransport { call in
            switch call.transport {
            case .udp: reply(to: call.query, truncated: true)
            case .tcp: reply(to: call.query, answers: [aRecord("big.example.org", "192.0.2.80")])
            }
        }
        let dns = resolver(transport: transport)
        let answer = try await dns.query("big.example.org", .a)
        #expect(answer.records.map(\.address) == [ip("192.0.2.80")])
        #expect(transport.calls.map(\.transport) == [.udp, .tcp])
        #expect(Set(transport.calls.map(\.server)).count == 1)
    }

    @Test func formatErrorToEDNSIsRetriedWithoutIt() async throws {
        let transport = FakeTransport { call in
            if call.query.edns != nil { return reply(to: call.query, rcode: 1, edns: nil) }
            return reply(to: call.query, answers: [aRecord("old.example.org", "192.0.2.3")], edns: nil)
        }
        let dns = resolver(transport: transport)
        #expect(try await dns.query("old.example.org", .a).records.count == 1)
        #expect(transport.calls.map { $0.query.edns == nil } == [false, true])
    }

    @Test func followsCNAMEChainsInTheAnswer() async throws {
        let transport = FakeTransport { call in
            reply(
                to: call.query,
                answers: [
                    DNSResourceRecord(name: name("www.example.org"), ttl: 60, data: .cname(name("Edge.CDN.example"))),
                    DNSResourceRecord(name: name("edge.cdn.example"), ttl: 60, data: .cname(name("node.cdn.example"))),
                    aRecord("node.cdn.example", "192.0.2.44"),
                    aRecord("unrelated.example", "192.0.2.66"),
                ])
        }
        let dns = resolver(transport: transport)
        let answer = try await dns.query("www.example.org", .a)
        #expect(answer.records.map(\.address) == [ip("192.0.2.44")])
        #expect(answer.canonicalName == name("node.cdn.example"))
        #expect(answer.aliases.count == 2)
        #expect(transport.calls.count == 1)
        // Asking for the CNAME itself does not follow it.
        let cname = try await dns.query("www.example.org", .cname)
        #expect(cname.records.first?.targetName == name("edge.cdn.example"))
    }

    @Test func unfinishedCNAMEChainIsQueriedOnward() async throws {
        let transport = FakeTransport { call in
            switch call.query.questions[0].name.description {
            case "www.example.org":
                reply(
                    to: call.query,
                    answers: [DNSResourceRecord(name: name("www.example.org"), ttl: 60, data: .cname(name("target.example.net")))]
                )
            case "target.example.net":
                reply(to: call.query, answers: [aRecord("target.example.net", "192.0.2.99")])
            default:
                reply(to: call.query, rcode: 3)
            }
        }
        let dns = resolver(transport: transport)
        let answer = try await dns.query("www.example.org", .a)
        #expect(answer.records.map(\.address) == [ip("192.0.2.99")])
        #expect(answer.question.name == name("www.example.org"))
        #expect(transport.calls.map(\.query.questions[0].name.description) == ["www.example.org", "target.example.net"])
    }

    @Test func cnameToMissingNameIsNXDomainAndToEmptyNameIsNoData() async throws {
        let transport = FakeTransport { call in
            let owner = call.query.questions[0].name
            let alias = DNSResourceRecord(name: owner, ttl: 60, data: .cname(name("target.example.net")))
            return switch owner.description {
            case "dangling.example.org":
                reply(to: call.query, rcode: 3, answers: [alias], authorities: [soaRecord("example.net", ttl: 60, minimum: 60)])
            default:
                reply(to: call.query, answers: [alias], authorities: [soaRecord("example.net", ttl: 60, minimum: 60)])
            }
        }
        let dns = resolver(transport: transport)
        let dangling = try await dns.query("dangling.example.org", .a)
        #expect(dangling.kind == .nxDomain)
        #expect(dangling.canonicalName == name("target.example.net"))
        #expect(try await dns.query("empty.example.org", .a).kind == .noData)
        #expect(transport.calls.count == 2)
    }

    @Test func cnameLoopsAndLongChainsAreErrors() async throws {
        let loop = FakeTransport { call in
            reply(
                to: call.query,
                answers: [
                    DNSResourceRecord(name: name("a.example.org"), ttl: 60, data: .cname(name("b.example.org"))),
                    DNSResourceRecord(name: name("b.example.org"), ttl: 60, data: .cname(name("a.example.org"))),
                ])
        }
        await #expect(throws: DNSError.self) { try await resolver(transport: loop).query("a.example.org", .a) }
        // Every name is an alias of the next one, queried one at a time.
        let endless = FakeTransport { call in
            let owner = call.query.questions[0].name
            return reply(to: call.query, answers: [DNSResourceRecord(name: owner, ttl: 60, data: .cname(name("x.\(owner)")))])
        }
        do {
            _ = try await resolver(transport: endless).query("example.org", .a)
            Issue.record("an endless CNAME chain gave an answer")
        } catch let error as DNSError {
            guard case .cnameChain = error else {
                Issue.record("expected cnameChain, got \(error)")
                return
            }
        }
        #expect(endless.calls.count == 9)
    }

    @Test func refusesNamesBeforeSendingAnything() async throws {
        let transport = FakeTransport { call in reply(to: call.query) }
        let dns = resolver(transport: transport)
        for bad in ["exämple.org", "a..b", String(repeating: "a", count: 64) + ".org"] {
            await #expect(throws: DNSError.self) { try await dns.query(bad, .mx) }
        }
        await #expect(throws: DNSError.invalidAddress("not-an-ip")) { try await dns.ptr(ip: "not-an-ip") }
        #expect(transport.calls.isEmpty)
    }

    @Test func mxConvenience() async throws {
        let transport = FakeTransport { call in
            let owner = call.query.questions[0].name
            switch owner.description {
            case "example.org":
                return reply(
                    to: call.query,
                    answers: [20, 10, 30, 10].enumerated().map { index, preference in
                        DNSResourceRecord(
                            name: owner, ttl: 60,
                            data: .mx(MXData(preference: UInt16(preference), exchange: name("mx\(index).example.org"))))
                    })
            case "null.example.org":
                return reply(
                    to: call.query,
                    answers: [DNSResourceRecord(name: owner, ttl: 60, data: .mx(MXData(preference: 0, exchange: .root)))])
            case "nomx.example.org":
                return reply(to: call.query)
            default:
                return reply(to: call.query, rcode: 3)
            }
        }
        let dns = resolver(transport: transport)
        let found = try #require(try await dns.mx("example.org").value)
        #expect(found.map(\.preference) == [10, 10, 20, 30])
        #expect(Set(found.prefix(2).map(\.exchange.description)) == ["mx1.example.org", "mx3.example.org"])
        #expect(!found.isNullMX)
        #expect(try await dns.mx("null.example.org").value?.isNullMX == true)
        #expect(try await dns.mx("nomx.example.org") == .noData)
        #expect(try await dns.mx("gone.example.org") == .nxDomain)
    }

    @Test func equalPreferencesAreShuffled() {
        let records =
            (0..<3).map { MXData(preference: 10, exchange: name("mx\($0).example.org")) } + [
                MXData(preference: 5, exchange: name("first.example.org"))
            ]
        var generator = SeededGenerator(state: 7)
        var firstAfterBest: Set<String> = []
        for _ in 0..<200 {
            let ordered = records.sortedForDelivery(using: &generator)
            #expect(ordered.map(\.preference) == [5, 10, 10, 10])
            #expect(ordered[0].exchange == name("first.example.org"))
            firstAfterBest.insert(ordered[1].exchange.description)
        }
        #expect(firstAfterBest.count == 3)
    }

    @Test func addressesCombineAAndAAAA() async throws {
        let transport = FakeTransport { call in
            let owner = call.query.questions[0].name.description
            let type = call.query.questions[0].type
            switch (owner, type) {
            case ("both.example.org", .a): return reply(to: call.query, answers: [aRecord(owner, "192.0.2.1")])
            case ("both.example.org", .aaaa): return reply(to: call.query, answers: [aRecord(owner, "2001:db8::1")])
            case ("v4.example.org", .a): return reply(to: call.query, answers: [aRecord(owner, "192.0.2.4")])
            case ("v4.example.org", .aaaa): throw DNSError.timeout
            case ("broken.example.org", _): throw DNSError.timeout
            case ("empty.example.org", _): return reply(to: call.query)
            default: return reply(to: call.query, rcode: 3)
            }
        }
        let dns = resolver(attempts: 1, transport: transport)
        #expect(try await dns.addresses("both.example.org") == .found([ip("192.0.2.1"), ip("2001:db8::1")]))
        #expect(try await dns.addresses("v4.example.org") == .found([ip("192.0.2.4")]))
        await #expect(throws: DNSError.timeout) { try await dns.addresses("broken.example.org") }
        #expect(try await dns.addresses("empty.example.org") == .noData)
        #expect(try await dns.addresses("gone.example.org") == .nxDomain)
    }

    @Test func txtAndPtrConvenience() async throws {
        let transport = FakeTransport { call in
            let owner = call.query.questions[0].name
            switch call.query.questions[0].type {
            case .txt:
                return reply(
                    to: call.query,
                    answers: [
                        DNSResourceRecord(
                            name: owner, ttl: 60, data: .txt(TXTData(strings: [Array("v=spf1 ".utf8), Array("-all".utf8)]))),
                        DNSResourceRecord(name: owner, ttl: 60, data: .txt(TXTData(text: "other"))),
                    ])
            case .ptr:
                return reply(
                    to: call.query, answers: [DNSResourceRecord(name: owner, ttl: 60, data: .ptr(name("host.example.org")))])
            default:
                return reply(to: call.query, rcode: 3)
            }
        }
        let dns = resolver(transport: transport)
        #expect(try await dns.txt("example.org") == .found(["v=spf1 -all", "other"]))
        #expect(try await dns.ptr(ip: "192.0.2.1") == .found([name("host.example.org")]))
        #expect(try await dns.ptr(ip: "2001:db8::1") == .found([name("host.example.org")]))
        #expect(
            transport.calls.map(\.query.questions[0].name.description).suffix(2) == [
                "1.2.0.192.in-addr.arpa", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
            ])
    }

    @Test func resolvConf() {
        let text = """
            # generated
            ; also a comment
            search example.org
            nameserver 192.0.2.53
            nameserver 2001:db8::53
            nameserver fe80::1%eth0
            nameserver dns.example
            nameserver 198.51.100.53
            nameserver 203.0.113.53
            options ndots:2 timeout:1 attempts:3 rotate
            """
        let conf = ResolvConf(parsing: text)
        #expect(conf.nameservers.map(\.description) == ["192.0.2.53:53", "[2001:db8::53]:53", "198.51.100.53:53"])
        #expect(conf.timeout == 1 && conf.attempts == 3)
        let configuration = DNSResolverConfiguration(resolvConf: conf)
        #expect(configuration.timeout == .seconds(1) && configuration.attempts == 3)
        #expect(ResolvConf(parsing: "").nameservers.map(\.description) == ["127.0.0.1:53"])
    }

    @Test func systemResolvConfLoads() throws {
        let configuration = try DNSResolverConfiguration.system()
        #expect(!configuration.nameservers.isEmpty)
        #expect(throws: DNSError.self) { try ResolvConf.load(path: "/nonexistent/resolv.conf") }
    }

    @Test func explicitNameservers() throws {
        let configuration = try DNSResolverConfiguration(nameservers: [(host: "127.0.0.1", port: 5353), (host: "::1", port: 53)])
        #expect(configuration.nameservers.map(\.description) == ["127.0.0.1:5353", "[::1]:53"])
        #expect(configuration.timeout == .seconds(2) && configuration.attempts == 2)
        #expect(throws: DNSError.self) { try DNSResolverConfiguration(nameservers: [(host: "localhost", port: 53)]) }
    }
}
