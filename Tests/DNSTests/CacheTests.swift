import DNS
import Testing

@Suite("DNS cache (RFC 2181 §5.2, RFC 2308) with a fake clock")
struct CacheTests {
    @Test func positiveAnswersLiveForTheSmallestTTL() async throws {
        let clock = FakeClock()
        let transport = FakeTransport { call in
            reply(
                to: call.query,
                answers: [aRecord("mx.example.org", "192.0.2.1", ttl: 600), aRecord("mx.example.org", "192.0.2.2", ttl: 300)])
        }
        let dns = resolver(clock: clock, transport: transport)
        let first = try await dns.query("mx.example.org", .a)
        #expect(first.records.count == 2)
        clock.advance(by: 299)
        let cached = try await dns.query("MX.Example.Org.", .a)
        #expect(transport.calls.count == 1)
        #expect(cached.records.map(\.ttl) == [301, 1])
        #expect(cached.records.map(\.address) == first.records.map(\.address))
        clock.advance(by: 1)
        _ = try await dns.query("mx.example.org", .a)
        #expect(transport.calls.count == 2)
        // Another type is another entry.
        _ = try await dns.query("mx.example.org", .aaaa)
        #expect(transport.calls.count == 3)
    }

    @Test func negativeAnswersLiveForTheSOAMinimum() async throws {
        let clock = FakeClock()
        let transport = FakeTransport { call in
            let qname = call.query.questions[0].name.description
            switch qname {
            case "gone.example.org":  // NXDOMAIN, SOA TTL 3600, MINIMUM 60: 60 s.
                return reply(to: call.query, rcode: 3, authorities: [soaRecord("example.org", ttl: 3600, minimum: 60)])
            case "empty.example.org":  // no data, SOA TTL 120, MINIMUM 3600: 120 s.
                return reply(to: call.query, authorities: [soaRecord("example.org", ttl: 120, minimum: 3600)])
            default:  // no SOA: not cached (RFC 2308 §5)
                return reply(to: call.query, rcode: 3)
            }
        }
        let dns = resolver(clock: clock, transport: transport)
        #expect(try await dns.query("gone.example.org", .mx).kind == .nxDomain)
        #expect(try await dns.query("empty.example.org", .mx).kind == .noData)
        #expect(try await dns.query("bare.example.org", .mx).kind == .nxDomain)
        #expect(transport.calls.count == 3)
        clock.advance(by: 59)
        #expect(try await dns.query("gone.example.org", .mx).kind == .nxDomain)
        #expect(try await dns.query("empty.example.org", .mx).kind == .noData)
        #expect(try await dns.query("bare.example.org", .mx).kind == .nxDomain)
        #expect(transport.calls.count == 4)
        clock.advance(by: 1)
        _ = try await dns.query("gone.example.org", .mx)
        #expect(transport.calls.count == 5)
        clock.advance(by: 59)
        _ = try await dns.query("empty.example.org", .mx)
        #expect(transport.calls.count == 5)
        clock.advance(by: 1)
        _ = try await dns.query("empty.example.org", .mx)
        #expect(transport.calls.count == 6)
    }

    @Test func ttlsAreCappedAndZeroIsNotCached() async throws {
        let clock = FakeClock()
        let transport = FakeTransport { call in
            let ttl: UInt32 = call.query.questions[0].name.description == "long.example.org" ? 7 * 86_400 : 0
            return reply(to: call.query, answers: [aRecord(call.query.questions[0].name.description, "192.0.2.9", ttl: ttl)])
        }
        let dns = resolver(clock: clock, cache: DNSCacheConfiguration(maxTTL: 86_400), transport: transport)
        _ = try await dns.query("long.example.org", .a)
        clock.advance(by: 86_399)
        _ = try await dns.query("long.example.org", .a)
        #expect(transport.calls.count == 1)
        clock.advance(by: 1)
        _ = try await dns.query("long.example.org", .a)
        #expect(transport.calls.count == 2)
        _ = try await dns.query("zero.example.org", .a)
        _ = try await dns.query("zero.example.org", .a)
        #expect(transport.calls.count == 4)
    }

    @Test func negativeTTLIsCapped() async throws {
        let clock = FakeClock()
        let transport = FakeTransport { call in
            reply(to: call.query, rcode: 3, authorities: [soaRecord("example.org", ttl: 86_400, minimum: 86_400)])
        }
        let dns = resolver(clock: clock, cache: DNSCacheConfiguration(maxNegativeTTL: 600), transport: transport)
        _ = try await dns.query("gone.example.org", .a)
        clock.advance(by: 599)
        _ = try await dns.query("gone.example.org", .a)
        #expect(transport.calls.count == 1)
        clock.advance(by: 1)
        _ = try await dns.query("gone.example.org", .a)
        #expect(transport.calls.count == 2)
    }

    @Test func aliasTTLBoundsTheAnswer() async throws {
        let clock = FakeClock()
        let transport = FakeTransport { call in
            reply(
                to: call.query,
                answers: [
                    DNSResourceRecord(name: name("www.example.org"), ttl: 30, data: .cname(name("host.example.org"))),
                    aRecord("host.example.org", "192.0.2.7", ttl: 3600),
                ])
        }
        let dns = resolver(clock: clock, transport: transport)
        _ = try await dns.query("www.example.org", .a)
        clock.advance(by: 30)
        _ = try await dns.query("www.example.org", .a)
        #expect(transport.calls.count == 2)
    }

    @Test func fullCacheEvicts() async throws {
        let clock = FakeClock()
        let cache = DNSCache(configuration: DNSCacheConfiguration(maxEntries: 10), clock: clock)
        for index in 0..<25 {
            let owner = name("h\(index).example.org")
            let record = DNSResourceRecord(name: owner, ttl: UInt32(100 + index), data: .a(ip("192.0.2.1")))
            cache.insert(DNSAnswer(question: DNSQuestion(name: owner, type: .a), kind: .records([record]), rcode: .noError))
            #expect(cache.count <= 10)
        }
        // The newest entry is kept; the ones closest to expiry went first.
        #expect(cache.lookup(name("h24.example.org"), .a) != nil)
        #expect(cache.lookup(name("h0.example.org"), .a) == nil)
        // Expired entries go before live ones.
        clock.advance(by: 200)
        #expect(cache.lookup(name("h24.example.org"), .a) == nil)
        cache.removeAll()
        #expect(cache.count == 0)
    }

    @Test func disabledCacheKeepsNothing() async throws {
        let transport = FakeTransport { call in reply(to: call.query, answers: [aRecord("a.example.org", "192.0.2.1")]) }
        let dns = resolver(cache: DNSCacheConfiguration(maxEntries: 0), transport: transport)
        _ = try await dns.query("a.example.org", .a)
        _ = try await dns.query("a.example.org", .a)
        #expect(transport.calls.count == 2)
    }
}
