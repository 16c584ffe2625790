import DNS
import Testing

/// Against hand-written responders over the loopback network (NIO transport).
@Suite("DNS transport against loopback responders")
struct LoopbackServerTests {
    static let realAnswer = "192.0.2.7"

    @Test func truncatedUDPAnswerSwitchesToTCP() async throws {
        // UDP: always TC, with a decoy address that must not be used. TCP: the real answer.
        let server = try LoopbackDNSServer(
            udp: { query in
                [.init(message: reply(to: query, truncated: true, answers: [aRecord("big.example.test", "203.0.113.66")]))]
            },
            tcp: { query in
                reply(to: query, answers: (0..<100).map { aRecord("big.example.test", "192.0.2.\($0 + 7)") })
            })
        defer { server.stop() }
        let dns = DNSResolver(
            configuration: DNSResolverConfiguration(nameservers: [try DNSNameserver(host: "127.0.0.1", port: server.port)]))
        let answer = try await dns.query("big.example.test", .a)
        #expect(answer.records.count == 100)
        #expect(answer.records.first?.address == ip(Self.realAnswer))
        #expect(!answer.records.contains { $0.address == ip("203.0.113.66") })
        #expect(server.udpQueries == 1)
        #expect(server.tcpQueries == 1)
    }

    @Test func answerUpToTheEDNSPayloadSizeComesOverUDP() async throws {
        // 70 A records: about 1170 octets, over the 512 of plain DNS, within the 1232 advertised.
        let server = try LoopbackDNSServer(
            udp: { query in
                #expect(query.edns?.udpPayloadSize == 1232)
                let message = reply(to: query, answers: (0..<70).map { aRecord("many.example.test", "198.51.100.\($0)") })
                #expect((513...1232).contains((try? message.encoded().count) ?? 0))
                return [.init(message: message)]
            },
            tcp: { query in reply(to: query, rcode: 2) })
        defer { server.stop() }
        let dns = DNSResolver(
            configuration: DNSResolverConfiguration(nameservers: [try DNSNameserver(host: "127.0.0.1", port: server.port)]))
        #expect(try await dns.query("many.example.test", .a).records.count == 70)
        #expect(server.tcpQueries == 0)
    }

    @Test func spoofedAnswersAreIgnored() async throws {
        // Before the real answer: one from another port, one with another ID, one for another
        // question, and one that is not a response. Only the last datagram may be taken.
        let server = try LoopbackDNSServer(
            udp: { query in
                let decoy = [aRecord("victim.example.test", "203.0.113.66")]
                var otherID = reply(to: query, answers: decoy)
                otherID.header.id &+= 1
                var otherQuestion = reply(to: query, answers: decoy)
                otherQuestion.questions = [DNSQuestion(name: name("other.example.test"), type: .a)]
                var notResponse = reply(to: query, answers: decoy)
                notResponse.header.isResponse = false
                return [
                    .init(message: reply(to: query, answers: decoy), fromOtherPort: true),
                    .init(message: otherID),
                    .init(message: otherQuestion),
                    .init(message: notResponse),
                    .init(message: reply(to: query, answers: [aRecord("victim.example.test", Self.realAnswer)])),
                ]
            },
            tcp: { query in reply(to: query, rcode: 2) })
        defer { server.stop() }
        let dns = DNSResolver(
            configuration: DNSResolverConfiguration(nameservers: [try DNSNameserver(host: "127.0.0.1", port: server.port)]))
        let answer = try await dns.query("victim.example.test", .a)
        #expect(answer.records.map(\.address) == [ip(Self.realAnswer)])
        #expect(server.tcpQueries == 0)
    }

    @Test func malformedAnswerWithTheRightIDIsAnError() async throws {
        let server = try LoopbackDNSServer(
            udp: { query in
                // Right ID and question, but an A record of 3 octets: the encoder writes what it
                // is given, so build it by hand as unknown data under type A.
                var broken = reply(to: query)
                broken.answers = [
                    DNSResourceRecord(name: name("bad.example.test"), type: .a, ttl: 60, data: .unknown([1, 2, 3]))
                ]
                return [.init(message: broken)]
            },
            tcp: { query in reply(to: query, rcode: 2) })
        defer { server.stop() }
        let dns = DNSResolver(
            configuration: DNSResolverConfiguration(
                nameservers: [try DNSNameserver(host: "127.0.0.1", port: server.port)], timeout: .milliseconds(500), attempts: 1))
        do {
            _ = try await dns.query("bad.example.test", .a)
            Issue.record("a malformed answer was accepted")
        } catch {
            #expect(isMalformed(error), "\(error)")
        }
    }

    @Test func serverFailureIsThrown() async throws {
        let server = try LoopbackDNSServer(udp: { query in [.init(message: reply(to: query, rcode: 2))] }, tcp: { $0 })
        defer { server.stop() }
        let dns = DNSResolver(
            configuration: DNSResolverConfiguration(nameservers: [try DNSNameserver(host: "127.0.0.1", port: server.port)]))
        await #expect(throws: DNSError.serverFailure) { try await dns.query("fail.example.test", .txt) }
        #expect(server.udpQueries == 2)
    }
}
