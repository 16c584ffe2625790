import Testing

@testable import IMAP

/// Seeded random mutations of valid commands: the framer and parser must never trap, and must stay bounded.
@Suite("Codec: fuzzing the framer and the parser")
struct CodecFuzzTests {
    /// SplitMix64: deterministic, seeded.
    struct Random {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    static let corpus: [String] = [
        "a1 LOGIN {4}\r\nfred \"pa\\\\ss\"",
        "a2 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541 (1:5 10:14)))",
        "a3 UID FETCH 1:* (FLAGS BODY.PEEK[1.2.HEADER.FIELDS (DATE FROM)]<0.100> BINARY[1]<0.5> BINARY.SIZE[2]) (CHANGEDSINCE 5 VANISHED)",
        "a4 SEARCH RETURN (MIN MAX SAVE) CHARSET UTF-8 OR (FROM x SUBJECT {3}\r\nabc) NOT SINCE 1-Feb-1994 MODSEQ \"/flags/\\\\draft\" all 5",
        "a5 APPEND INBOX (\\Seen $X) \" 1-Aug-2002 22:00:00 -0700\" {5+}\r\nhello ~{2}\r\nab",
        "a6 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"foo\" %) RETURN (CHILDREN STATUS (MESSAGES SIZE) SPECIAL-USE)",
        "a7 STORE 1,2:4 (UNCHANGEDSINCE 9) +FLAGS.SILENT (\\Deleted)",
        "a8 ID (\"name\" \"x\" \"version\" NIL)",
        "a9 SETQUOTA \"\" (STORAGE 512 MESSAGE 10)",
        "b1 CREATE Drafts (USE (\\Drafts))",
        "b2 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=",
        "b3 STATUS \"Entw&APw-rfe\" (MESSAGES UNSEEN HIGHESTMODSEQ APPENDLIMIT)",
        "b4 UID MOVE $ Trash",
        "b5 ENABLE UTF8=ACCEPT CONDSTORE",
    ]

    static let interesting: [UInt8] = Array("{}()[]<>\"\\~+*%$:,.-0123456789 \r\n\u{0}aZ".utf8) + [0x80, 0xFF]

    static func mutate(_ input: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0...random.below(4) {
            let position = bytes.isEmpty ? 0 : random.below(bytes.count)
            switch random.below(6) {
            case 0 where !bytes.isEmpty: bytes[position] = interesting[random.below(interesting.count)]
            case 1: bytes.insert(interesting[random.below(interesting.count)], at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3 where !bytes.isEmpty: bytes.removeSubrange(position...)
            case 4:
                let end = min(bytes.count, position + random.below(20))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default: bytes[position...].reverse()
            }
        }
        return bytes
    }

    @Test("4000 mutated commands through the framer (random chunking) and the parser")
    func fuzz() {
        var random = Random(state: 0x5EED)
        let limits = IMAPFramer.Limits(maxLineLength: 2048, maxLiteralSize: 4096, maxFrameSize: 8192)
        let clock = ContinuousClock()
        let started = clock.now
        var frames = 0
        for iteration in 0..<4000 {
            let seed = Array(Self.corpus[iteration % Self.corpus.count].utf8)
            let mutated = Self.mutate(seed, &random)
            // The parser alone, in both modes.
            for utf8 in [false, true] {
                _ = try? IMAPCommandParser(utf8Accept: utf8, maxDepth: 8).parse(mutated)
            }
            // The framer, with random chunks and occasional line mode.
            var framer = IMAPFramer(limits: limits)
            let stream = mutated + Array("\r\n".utf8) + Array("z NOOP\r\n".utf8)
            var offset = 0
            while offset < stream.count {
                let end = min(stream.count, offset + 1 + random.below(16))
                framer.append(stream[offset..<end])
                offset = end
                while let event = framer.next() {
                    if case .frame(let frame) = event {
                        frames += 1
                        _ = try? IMAPCommandParser().parse(frame)
                    }
                    if random.below(50) == 0 { framer.expectLine() }
                }
                #expect(framer.bufferedByteCount <= limits.maxFrameSize + 16)
            }
        }
        #expect(frames > 4000)
        #expect(clock.now - started < .seconds(60))
    }

    @Test("random bytes never trap the modified UTF-7 decoder, and what it accepts round-trips")
    func utf7() {
        var random = Random(state: 7)
        let alphabet = Array("&-+,ABZaz09/AGE".utf8) + [0x20, 0x7E, 0x80]
        for _ in 0..<3000 {
            let input = (0..<random.below(12)).map { _ in alphabet[random.below(alphabet.count)] }
            if let decoded = ModifiedUTF7.decode(input) {
                #expect(ModifiedUTF7.encode(decoded) == input)
            }
        }
    }
}
