import Testing

@testable import LDAP

@Suite struct LDAPFrameDecoderTests {
    static let messages: [[UInt8]] = [
        try! LDAPMessage(messageID: 1, op: .bindResponse(.plainSuccess)).serialized(),
        try! LDAPMessage(
            messageID: 2,
            op: .searchResultEntry(
                LDAPEntry(dn: "uid=a", attributes: [LDAPAttribute(type: "cn", values: [Array(repeating: 0x61, count: 300)])]))
        ).serialized(),
        try! LDAPMessage(messageID: 2, op: .searchResultDone(.plainSuccess)).serialized(),
    ]

    static func drain(_ decoder: inout LDAPFrameDecoder) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let pdu = try decoder.next() { out.append(pdu) }
        return out
    }

    @Test func oneByteChunks() throws {
        // The 300-byte value gives the second PDU a long-form length (30 82 01 …).
        #expect(Self.messages[1][1] == 0x82)
        var decoder = LDAPFrameDecoder()
        var out: [[UInt8]] = []
        for byte in Self.messages.joined() {
            decoder.append([byte])
            out += try Self.drain(&decoder)
        }
        #expect(out == Self.messages)
        #expect(decoder.bufferedCount == 0)
    }

    @Test func manyMessagesInOneChunk() throws {
        let pdu = try LDAPMessage(messageID: 7, op: .searchResultReference(["ldap://x/"])).serialized()
        var decoder = LDAPFrameDecoder()
        decoder.append(Array(Array(repeating: pdu, count: 20_000).joined()) + pdu.prefix(3))
        let out = try Self.drain(&decoder)
        #expect(out.count == 20_000)
        #expect(out.allSatisfy { $0 == pdu })
        #expect(decoder.bufferedCount == 3)
        decoder.append(pdu.dropFirst(3))
        #expect(try decoder.next() == pdu)
        #expect(try decoder.next() == nil)
    }

    @Test func oversizedLengthIsRefusedBeforeBuffering() throws {
        var decoder = LDAPFrameDecoder(maximumMessageSize: 1024)
        // 30 84 7f ff ff ff: a 2 GiB PDU announced; refused on its header alone.
        decoder.append([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff])
        #expect(throws: LDAPCodecError.messageTooLarge(declared: 0x7fff_ffff, maximum: 1024)) { try decoder.next() }
        // The error sticks, and nothing more is buffered.
        decoder.append(Array(repeating: 0, count: 4096))
        #expect(decoder.bufferedCount == 0)
        #expect(throws: LDAPCodecError.self) { try decoder.next() }

        var exact = LDAPFrameDecoder(maximumMessageSize: 3)
        exact.append([0x30, 0x03, 0x02, 0x01, 0x01, 0x30, 0x04])
        #expect(try exact.next() == [0x30, 0x03, 0x02, 0x01, 0x01])
        #expect(throws: LDAPCodecError.messageTooLarge(declared: 4, maximum: 3)) { try exact.next() }
    }

    @Test(arguments: [
        ([0x31, 0x00] as [UInt8], LDAPCodecError.notAMessage(tag: 0x31)),
        ([0x30, 0x80], LDAPCodecError.indefiniteLength),
        ([0x30, 0x85, 0, 0, 0, 0, 1], LDAPCodecError.lengthFieldTooLong(5)),
    ])
    func badHeaders(bytes: [UInt8], error: LDAPCodecError) {
        var decoder = LDAPFrameDecoder()
        decoder.append(bytes)
        #expect(throws: error) { try decoder.next() }
    }

    @Test func partialHeadersWait() throws {
        var decoder = LDAPFrameDecoder()
        #expect(try decoder.next() == nil)
        decoder.append([0x30])
        #expect(try decoder.next() == nil)
        decoder.append([0x82, 0x00])
        #expect(try decoder.next() == nil)
        decoder.append([0x03, 0x02, 0x01])
        #expect(try decoder.next() == nil)
        decoder.append([0x05])
        #expect(try decoder.next() == [0x30, 0x82, 0x00, 0x03, 0x02, 0x01, 0x05])
    }
}
