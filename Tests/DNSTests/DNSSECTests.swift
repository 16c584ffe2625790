import DNS
import Testing

/// The AD bit (RFC 4035 §3.2.3, RFC 6840 §5.7) and TLSA records (RFC 6698 §2.1).
@Suite("DNSSEC status and TLSA records")
struct DNSSECTests {
    private func validating(_ transport: FakeTransport, trusted: Bool) -> DNSResolver {
        var configuration = DNSResolverConfiguration(
            nameservers: [try! DNSNameserver(host: "127.0.0.1")], timeout: .milliseconds(100), attempts: 1)
        configuration.dnssecValidating = trusted
        return DNSResolver(configuration: configuration, transport: transport)
    }

    private func authenticated(_ message: DNSMessage) -> DNSMessage {
        var message = message
        message.header.authenticData = true
        return message
    }

    @Test func aTrustedResolverIsAskedForTheADBitAndItsAnswerIsBelieved() async throws {
        let transport = FakeTransport { call in
            self.authenticated(reply(to: call.query, answers: [aRecord("mx.example.org", "192.0.2.25")]))
        }
        let answer = try await validating(transport, trusted: true).query("mx.example.org", .a)
        #expect(answer.authenticData)
        #expect(transport.calls.allSatisfy { $0.query.header.authenticData && !$0.query.header.checkingDisabled })
    }

    @Test func anUntrustedResolversADBitIsIgnored() async throws {
        let transport = FakeTransport { call in
            self.authenticated(reply(to: call.query, answers: [aRecord("mx.example.org", "192.0.2.25")]))
        }
        let answer = try await validating(transport, trusted: false).query("mx.example.org", .a)
        #expect(!answer.authenticData)
        #expect(transport.calls.allSatisfy { !$0.query.header.authenticData })
    }

    @Test func aChainIsOnlyAuthenticatedWhenEveryResponseWas() async throws {
        // The first response gives only the CNAME (with AD); the second, unsigned, the target's A.
        let transport = FakeTransport { call in
            let question = call.query.questions[0].name
            if question == name("alias.example.org") {
                let cname = DNSResourceRecord(name: question, ttl: 60, data: .cname(name("target.example.net")))
                return self.authenticated(reply(to: call.query, answers: [cname]))
            }
            var unsigned = reply(to: call.query, answers: [aRecord("target.example.net", "192.0.2.26")])
            unsigned.header.authenticData = false  // `reply` copies the query's header, AD included
            return unsigned
        }
        let answer = try await validating(transport, trusted: true).query("alias.example.org", .a)
        #expect(answer.records.map(\.address) == [ip("192.0.2.26")])
        #expect(!answer.authenticData)
        #expect(transport.calls.count == 2)
    }

    @Test func tlsaRecordsAreDecodedAndEncoded() throws {
        let data = TLSAData(usage: 3, selector: 1, matchingType: 1, associationData: Array(repeating: 0xAB, count: 32))
        let record = DNSResourceRecord(name: name("_25._tcp.mx.example.org"), ttl: 300, data: .tlsa(data))
        #expect(record.type == .tlsa && record.type.rawValue == 52 && "\(record.type)" == "TLSA")
        let message = DNSMessage(header: DNSHeader(id: 1, isResponse: true), answers: [record])
        let decoded = try DNSMessage(decoding: message.encoded())
        #expect(decoded.answers.first?.tlsa == data)
        #expect(data.description == "3 1 1 " + String(repeating: "ab", count: 32))
    }

    @Test func aTLSARecordShorterThanItsFixedFieldsIsMalformed() throws {
        let record = DNSResourceRecord(name: name("_25._tcp.mx.example.org"), type: .tlsa, ttl: 300, data: .unknown([3, 1]))
        let bytes = try DNSMessage(header: DNSHeader(id: 1, isResponse: true), answers: [record]).encoded()
        #expect(throws: DNSError.self) { try DNSMessage(decoding: bytes) }
    }

    @Test func loopbackAddressesAreRecognised() {
        #expect(ip("127.0.0.1").isLoopback && ip("127.5.3.1").isLoopback && ip("::1").isLoopback)
        #expect(!ip("192.0.2.1").isLoopback && !ip("::2").isLoopback && !ip("::ffff:10.0.0.1").isLoopback)
    }
}
