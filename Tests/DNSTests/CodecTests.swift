import DNS
import Testing

@Suite("DNS message codec (RFC 1035 §4, RFC 6891)")
struct CodecTests {
    @Test func queryWireFormat() throws {
        let query = DNSMessage.query(name("Example.com."), .a, id: 0x1234)
        // Header: ID, RD, QDCOUNT 1, ARCOUNT 1 (the OPT record).
        // Question: example.com A IN. OPT: root, TYPE 41, CLASS 1232, TTL 0, RDLEN 0.
        let expected = bytes(
            """
            1234 0100 0001 0000 0000 0001
            07 6578616d706c65 03 636f6d 00 0001 0001
            00 0029 04d0 00000000 0000
            """)
        #expect(try query.encoded() == expected)
        let decoded = try DNSMessage(decoding: expected)
        #expect(decoded == query)
        #expect(decoded.edns?.udpPayloadSize == 1232)
        #expect(decoded.additionals.isEmpty)
        #expect(DNSMessage.query(name("example.com"), .a, edns: nil).header.recursionDesired)
    }

    @Test func decodesHandBuiltCompressedResponse() throws {
        let packet = bytes(
            """
            beef 8180 0001 0002 0000 0000
            07 4578616d706c65 03 434f4d 00 000f 0001
            c00c 000f 0001 00000e10 0007  000a 02 6d78 c00c
            c00c 000f 0001 00001c20 000b  0014 06 6261636b7570 c02b
            """)
        let message = try DNSMessage(decoding: packet)
        #expect(message.header.id == 0xBEEF)
        #expect(message.header.isResponse && message.header.recursionDesired && message.header.recursionAvailable)
        #expect(message.rcode == .noError)
        #expect(message.questions == [DNSQuestion(name: name("example.com"), type: .mx)])
        #expect(message.answers.count == 2)
        #expect(message.answers.allSatisfy { $0.name == name("example.com") && $0.type == .mx })
        #expect(message.answers[0].ttl == 3600)
        #expect(message.answers[0].mx == MXData(preference: 10, exchange: name("mx.example.com")))
        #expect(message.answers[1].mx == MXData(preference: 20, exchange: name("backup.mx.example.com")))
        // Our encoder compresses the same way, so the packet comes out as it came in, but lower case.
        var lower = packet
        for index in 13..<24 where (0x41...0x5A).contains(lower[index]) { lower[index] |= 0x20 }
        #expect(try message.encoded() == lower)
    }

    static let everyType: DNSMessage = {
        let zone = name("example.org")
        var header = DNSHeader(
            id: 7, isResponse: true, isAuthoritative: true, recursionAvailable: true, authenticData: true, rcode: 3)
        header.checkingDisabled = true
        return DNSMessage(
            header: header,
            questions: [DNSQuestion(name: zone, type: .any255)],
            answers: [
                DNSResourceRecord(name: zone, ttl: 60, data: .a(ip("192.0.2.1"))),
                DNSResourceRecord(name: zone, ttl: 60, data: .aaaa(ip("2001:db8::1"))),
                DNSResourceRecord(name: zone, ttl: 60, data: .mx(MXData(preference: 5, exchange: name("mx.example.org")))),
                DNSResourceRecord(name: zone, ttl: 60, data: .mx(MXData(preference: 0, exchange: .root))),
                DNSResourceRecord(
                    name: zone, ttl: 60, data: .txt(TXTData(strings: [Array("v=spf1 ".utf8), Array("-all".utf8), []]))),
                DNSResourceRecord(name: name("www.example.org"), ttl: 60, data: .cname(zone)),
                DNSResourceRecord(name: name("1.2.0.192.in-addr.arpa"), ttl: 60, data: .ptr(name("mx.example.org"))),
                DNSResourceRecord(name: zone, type: .unknown(99), ttl: 60, data: .unknown([3, 1, 1, 0xAB, 0xCD])),
                DNSResourceRecord(
                    name: zone, ttl: 60,
                    data: .tlsa(TLSAData(usage: 3, selector: 1, matchingType: 1, associationData: [0xAB, 0xCD]))),
                DNSResourceRecord(name: zone, ttl: UInt32.max, data: .txt(TXTData(text: String(repeating: "k", count: 600)))),
            ],
            authorities: [
                DNSResourceRecord(name: zone, ttl: 3600, data: .ns(name("ns1.example.org"))),
                soaRecord("example.org", ttl: 3600, minimum: 300),
            ],
            additionals: [DNSResourceRecord(name: name("ns1.example.org"), ttl: 60, data: .a(ip("192.0.2.53")))],
            edns: EDNS(udpPayloadSize: 4096, extendedRCode: 0, version: 0, dnssecOK: true, options: [0, 10, 0, 2, 0xAA, 0xBB]))
    }()

    @Test(arguments: [true, false])
    func roundTripsEveryRecordType(compress: Bool) throws {
        let wire = try Self.everyType.encoded(compress: compress)
        #expect(try DNSMessage(decoding: wire) == Self.everyType)
    }

    @Test func compressionShrinks() throws {
        let compressed = try Self.everyType.encoded()
        let plain = try Self.everyType.encoded(compress: false)
        #expect(compressed.count < plain.count - 100)
        #expect(try DNSMessage(decoding: compressed) == DNSMessage(decoding: plain))
    }

    @Test func longTXTIsSplitAndJoined() throws {
        // A DKIM key is longer than one character-string (RFC 6376 §3.6.2.2).
        let key = "v=DKIM1; k=rsa; p=" + String(repeating: "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", count: 12)
        let txt = TXTData(text: key)
        #expect(txt.strings.map(\.count) == [255, key.utf8.count - 255])
        let query = DNSMessage.query(name("sel._domainkey.example.org"), .txt)
        let response = reply(
            to: query, answers: [DNSResourceRecord(name: name("sel._domainkey.example.org"), ttl: 60, data: .txt(txt))])
        let decoded = try DNSMessage(decoding: response.encoded())
        #expect(decoded.answers.first?.txt?.text == key)
        #expect(decoded.answers.first?.txt?.strings.count == 2)
    }

    @Test func extendedResponseCode() throws {
        var message = reply(to: DNSMessage.query(name("example.org"), .a), rcode: 0)
        message.edns?.extendedRCode = 1
        let decoded = try DNSMessage(decoding: message.encoded())
        #expect(decoded.rcode == .badVersion)
        #expect(reply(to: DNSMessage.query(name("example.org"), .a), rcode: 2).rcode == .serverFailure)
    }

    @Test func recordTypesCompareByNumber() {
        #expect(DNSRecordType.unknown(15) == .mx)
        #expect(DNSRecordType(rawValue: 28) == .aaaa)
        #expect(DNSRecordType(rawValue: 99).description == "TYPE99")
        #expect(Set([DNSRecordType.unknown(1), .a]).count == 1)
    }

    @Test func responseMatching() {
        let query = DNSMessage.query(name("example.org"), .mx, id: 42)
        #expect(reply(to: query).isResponse(to: query))
        var otherID = reply(to: query)
        otherID.header.id = 43
        #expect(!otherID.isResponse(to: query))
        var otherQuestion = reply(to: query)
        otherQuestion.questions = [DNSQuestion(name: name("example.com"), type: .mx)]
        #expect(!otherQuestion.isResponse(to: query))
        var notResponse = reply(to: query)
        notResponse.header.isResponse = false
        #expect(!notResponse.isResponse(to: query))
        var bareError = reply(to: query, rcode: 1)
        bareError.questions = []
        #expect(bareError.isResponse(to: query))
        var bareSuccess = reply(to: query)
        bareSuccess.questions = []
        #expect(!bareSuccess.isResponse(to: query))
    }
}

extension DNSRecordType {
    static let any255 = DNSRecordType.unknown(255)
}
