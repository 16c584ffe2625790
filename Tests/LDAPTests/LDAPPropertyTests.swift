import Testing

@testable import LDAP

/// Round trips and a seeded fuzz run: decoding is total, encoding and decoding agree.
@Suite struct LDAPPropertyTests {
    @Test func randomFiltersRoundTrip() throws {
        var random = RandomLDAP(rng: SplitMix64(seed: 0x4c44_4150))
        for _ in 0..<2_000 {
            let filter = random.filter()
            // String form: printed, parsed back, equal.
            #expect(try LDAPFilter(parsing: filter.description) == filter, "\(filter)")
            // BER form, inside a search request.
            let request = LDAPSearchRequest(base: "", scope: .wholeSubtree, filter: filter, attributes: [])
            let bytes = try LDAPMessage(messageID: 1, op: .searchRequest(request)).serialized()
            #expect(try LDAPMessage(decoding: bytes[...]).op == .searchRequest(request))
        }
    }

    @Test func randomMessagesRoundTrip() throws {
        var random = RandomLDAP(rng: SplitMix64(seed: 0x5345_4152))
        for _ in 0..<3_000 {
            let message = random.message()
            let bytes = try message.serialized()
            #expect(try LDAPMessage(decoding: bytes[...]) == message)
        }
    }

    /// 20,000 mutated PDUs: every outcome is a message or an `LDAPCodecError` (the typed
    /// `throws` says so; a trap would end the test run). A message that decodes must encode
    /// and decode to itself.
    @Test func fuzzedPDUsNeverTrap() throws {
        var random = RandomLDAP(rng: SplitMix64(seed: 0x2024_0511))
        var seeds = (0..<64).map { _ in (try? random.message().serialized()) ?? [] }
        seeds.append(
            hexBytes("3032020101610 70a0131040004 00a0243022 0419") + Array("1.3.6.1.4.1.42.2.27.8.5.1".utf8)
                + hexBytes("04053003810101"))
        var decoded = 0
        var refused = 0
        for _ in 0..<20_000 {
            var bytes = seeds[random.int(0...(seeds.count - 1))]
            mutate(&bytes, &random)
            do {
                let message = try LDAPMessage(decoding: bytes[...])
                decoded += 1
                #expect(try LDAPMessage(decoding: message.serialized()[...]) == message)
            } catch {
                refused += 1
            }
            var frames = LDAPFrameDecoder(maximumMessageSize: 4096)
            var rest = bytes[...]
            while !rest.isEmpty {
                let chunk = rest.prefix(random.int(1...64))
                rest = rest.dropFirst(chunk.count)
                frames.append(chunk)
                while let pdu = try? frames.next() { _ = try? LDAPMessage(decoding: pdu[...]) }
            }
        }
        #expect(decoded + refused == 20_000)
        // The mutations leave both outcomes common enough to mean something.
        #expect(decoded > 500 && refused > 5_000, "decoded \(decoded), refused \(refused)")
    }

    private func mutate(_ bytes: inout [UInt8], _ random: inout RandomLDAP) {
        for _ in 0..<random.int(1...3) {
            guard !bytes.isEmpty else {
                bytes = random.bytes(0...32)
                return
            }
            let at = random.int(0...(bytes.count - 1))
            switch random.int(0...6) {
            case 0: bytes[at] ^= 1 << UInt8(random.int(0...7))
            case 1: bytes.removeLast(random.int(0...(bytes.count - at)))
            // Length-field corruption: a short, long-form, indefinite or huge length.
            case 2: bytes[at] = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x85, 0xff][random.int(0...8)]
            case 3: bytes.insert(contentsOf: random.bytes(1...4), at: at)
            case 4: bytes[at] = UInt8(random.int(0...255))
            case 5: bytes = random.bytes(0...64)
            default:
                // Duplicate a slice (nested structures repeated).
                let end = random.int(at...(bytes.count - 1))
                bytes.insert(contentsOf: bytes[at...end], at: end + 1)
            }
        }
    }
}
