import DNS
import PostaTestSupport
import Testing

/// Broken packets must be refused with `DNSError.malformed`: no trap, no endless loop.
@Suite("Malformed DNS packets")
struct MalformedPacketTests {
    /// Header of a response with the given counts (QD, AN, NS, AR).
    static func header(_ qd: Int, _ an: Int, _ ns: Int = 0, _ ar: Int = 0) -> String {
        "abcd 8180" + [qd, an, ns, ar].map { " " + String(format4: $0) }.joined()
    }

    static let question = "07 6578616d706c65 03 636f6d 00 0001 0001"  // example.com A IN, at offset 12

    static let cases: [(String, String)] = [
        ("empty", ""),
        ("short header", "abcd 8180 0001 00"),
        ("pointer to itself", header(1, 0) + " c00c 0001 0001"),
        // A record owner "a" + pointer back to the "a" label: a loop that only goes backwards once.
        ("pointer loop through a label", header(1, 1) + question + " 01 61 c01d 0001 0001 00000000 0000"),
        ("forward pointer", header(1, 0) + " c00e 0001 0001 00 00"),
        ("pointer past the end", header(1, 0) + " c0ff 0001 0001"),
        ("pointer cut short", header(1, 0) + " c0"),
        ("label over 63 (0x40)", header(1, 0) + " 40" + String(repeating: "61", count: 64) + " 00 0001 0001"),
        ("reserved label type 0x80", header(1, 0) + " 81 61 00 0001 0001"),
        ("label past the end", header(1, 0) + " 3f 6161"),
        ("name without end", header(1, 0) + " 03 616263"),
        (
            "name over 255 octets",
            header(1, 0) + String(repeating: " 3f" + String(repeating: "61", count: 63), count: 5) + " 00 0001 0001"
        ),
        ("question count larger than data", header(3, 0) + question),
        ("answer count larger than data", header(1, 5) + question + " c00c 0001 0001 00000e10 0004 c0000201"),
        ("record header cut short", header(1, 1) + question + " c00c 0001 0001 0000"),
        ("truncated rdata", header(1, 1) + question + " c00c 0001 0001 00000e10 0004 c000"),
        ("A of 3 octets", header(1, 1) + question + " c00c 0001 0001 00000e10 0003 c00002"),
        ("AAAA of 4 octets", header(1, 1) + question + " c00c 001c 0001 00000e10 0004 c0000201"),
        ("MX name past rdata", header(1, 1) + question + " c00c 000f 0001 00000e10 0004 000a 02 6d78 00"),
        ("MX shorter than preference", header(1, 1) + question + " c00c 000f 0001 00000e10 0001 00"),
        ("TXT string past rdata", header(1, 1) + question + " c00c 0010 0001 00000e10 0003 05 616263"),
        ("CNAME with trailing octets", header(1, 1) + question + " c00c 0005 0001 00000e10 0004 c00c ffff"),
        ("SOA cut short", header(1, 1) + question + " c00c 0006 0001 00000e10 0006 00 00 00000001"),
        ("two OPT records", header(1, 0, 0, 2) + question + " 00 0029 04d0 00000000 0000 00 0029 04d0 00000000 0000"),
        ("OPT not at the root", header(1, 0, 0, 1) + question + " c00c 0029 04d0 00000000 0000"),
        ("OPT in the answer section", header(1, 1) + question + " 00 0029 04d0 00000000 0000"),
    ]

    @Test(arguments: cases)
    func refused(label: String, hex: String) {
        do {
            let message = try DNSMessage(decoding: bytes(hex))
            Issue.record("\(label): decoded as \(message)")
        } catch {
            #expect(isMalformed(error), "\(label): \(error)")
        }
    }

    /// A packet whose second record's owner is a chain of `links` backward pointers, each link
    /// one label "a" (the links sit in the opaque RDATA of the first record).
    static func pointerChain(links: Int) -> [UInt8] {
        var chain: [UInt8] = [1, 0x61, 0]
        let rdataStart = 12 + 1 + 10
        var previous = rdataStart
        for _ in 0..<links {
            let here = rdataStart + chain.count
            chain += [1, 0x61, 0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
            previous = here
        }
        var packet = bytes(header(0, 2))
        packet += [0, 0xFF, 0x00, 0, 1, 0, 0, 0, 0, UInt8(chain.count >> 8), UInt8(chain.count & 0xFF)] + chain
        packet += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)] + bytes("0001 0001 00000000 0004 7f000001")
        return packet
    }

    @Test func backwardPointerChainsAreFollowedWithinTheNameLimit() throws {
        // 127 labels of one octet: 127 · 2 + 1 = 255 octets, the longest name.
        let message = try DNSMessage(decoding: Self.pointerChain(links: 126))
        #expect(message.answers[1].name.labels.count == 127)
        #expect(message.answers[1].address == ip("127.0.0.1"))
        do {
            _ = try DNSMessage(decoding: Self.pointerChain(links: 127))
            Issue.record("a 257-octet name was accepted")
        } catch {
            #expect(isMalformed(error))
        }
    }

    /// Random damage to a valid packet never traps or hangs: each try either decodes or throws.
    @Test func fuzzedPacketsNeverCrash() throws {
        let valid = try CodecTests.everyType.encoded()
        var generator = SeededGenerator(state: 0x5EED)
        var decoded = 0
        var refused = 0
        for round in 0..<3000 {
            var packet = valid
            switch round % 4 {
            case 0:
                for _ in 0..<Int.random(in: 1...8, using: &generator) {
                    packet[Int.random(in: 0..<packet.count, using: &generator)] = .random(in: 0...255, using: &generator)
                }
            case 1:
                packet = Array(packet[0..<Int.random(in: 0..<packet.count, using: &generator)])
            case 2:
                let at = Int.random(in: 12..<packet.count, using: &generator)
                packet[at] = 0xC0 | UInt8.random(in: 0...0x3F, using: &generator)
            default:
                packet = (0..<Int.random(in: 0..<600, using: &generator)).map { _ in .random(in: 0...255, using: &generator) }
            }
            do {
                _ = try DNSMessage(decoding: packet)
                decoded += 1
            } catch {
                #expect(error is DNSError)
                refused += 1
            }
        }
        #expect(decoded + refused == 3000)
        #expect(refused > 1000)
    }
}

extension String {
    init(format4 value: Int) {
        let hex = String(value, radix: 16)
        self = String(repeating: "0", count: 4 - hex.count) + hex
    }
}
