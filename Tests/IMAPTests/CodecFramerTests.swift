import Testing

@testable import IMAP

@Suite("Codec: framer")
struct CodecFramerTests {
    typealias Event = IMAPFramer.Event

    /// Feeds `input` in chunks of the given sizes (cycled) and collects every event; after a frame
    /// whose text ends with " IDLE" the framer is put in line mode, as the adapter does.
    static func run(_ input: [UInt8], chunk: Int, limits: IMAPFramer.Limits = .init()) -> [Event] {
        var framer = IMAPFramer(limits: limits)
        var events: [Event] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + chunk)
            framer.append(input[offset..<end])
            offset = end
            while let event = framer.next() {
                events.append(event)
                if case .frame(let frame) = event, frame.reversed().starts(with: " IDLE".utf8.reversed()) {
                    framer.expectLine()
                }
            }
        }
        return events
    }

    static let script = bytes(
        "a1 NOOP\r\na2 LOGIN {4}\r\nfred {3+}\r\nx\ny\r\na3 IDLE\r\nDONE\r\na4 APPEND INBOX ~{3}\r\n\u{0}\r\n\r\n"
            + "a5 LOGIN \"\" {0}\r\n\r\na6 CHECK\n")

    static let expected: [Event] = [
        .frame(bytes("a1 NOOP")),
        .continuationRequest,
        .frame(bytes("a2 LOGIN {4}\r\nfred {3+}\r\nx\ny")),
        .frame(bytes("a3 IDLE")),
        .line(bytes("DONE")),
        .continuationRequest,
        .frame(bytes("a4 APPEND INBOX ~{3}\r\n\u{0}\r\n")),
        .continuationRequest,
        .frame(bytes("a5 LOGIN \"\" {0}\r\n")),
        .frame(bytes("a6 CHECK")),
    ]

    @Test("the same frames and events whatever the chunking, down to single bytes")
    func chunking() {
        for chunk in 1...Self.script.count {
            #expect(Self.run(Self.script, chunk: chunk) == Self.expected, "chunk size \(chunk)")
        }
    }

    @Test("a split at every byte boundary gives the same events")
    func everyBoundary() {
        for split in 0...Self.script.count {
            var framer = IMAPFramer()
            var events: [Event] = []
            for part in [Self.script[..<split], Self.script[split...]] {
                framer.append(part)
                while let event = framer.next() {
                    events.append(event)
                    if event == .frame(bytes("a3 IDLE")) { framer.expectLine() }
                }
            }
            #expect(events == Self.expected, "split at \(split)")
        }
    }

    @Test("the continuation request comes before the literal's bytes, and only for {n}")
    func continuation() throws {
        var framer = IMAPFramer()
        framer.append(bytes("a LOGIN {5}\r\n"))
        #expect(framer.next() == .continuationRequest)
        #expect(framer.next() == nil)
        framer.append(bytes("alice {6+}\r\nsecret\r\n"))
        #expect(framer.next() == .frame(bytes("a LOGIN {5}\r\nalice {6+}\r\nsecret")))
        #expect(framer.next() == nil)
        #expect(
            try IMAPCommandParser().parse(bytes("a LOGIN {5}\r\nalice {6+}\r\nsecret")).kind
                == .login(userID: bytes("alice"), password: bytes("secret")))
    }

    @Test("a line over the limit is reported before it is buffered, then the framer resynchronises")
    func lineTooLong() {
        let limits = IMAPFramer.Limits(maxLineLength: 64, maxLiteralSize: 100)
        var framer = IMAPFramer(limits: limits)
        framer.append(bytes("t1 SEARCH " + String(repeating: "X", count: 60)))
        #expect(framer.next() == .error(.lineTooLong(tag: "t1")))
        #expect(framer.bufferedByteCount == 0)
        framer.append(bytes(String(repeating: "Y", count: 10_000)))
        #expect(framer.next() == nil)
        #expect(framer.bufferedByteCount == 0)
        framer.append(bytes("ZZ {5}\r\nt2 NOOP\r\n"))
        #expect(framer.next() == .frame(bytes("t2 NOOP")))
        // Exactly at the limit (line end included) is accepted.
        framer.append(bytes("t3 X " + String(repeating: "a", count: 57) + "\r\n"))
        #expect(framer.next() == .frame(bytes("t3 X " + String(repeating: "a", count: 57))))
        // A too-long line that arrives whole, with no tag.
        framer.append(bytes(String(repeating: " ", count: 70) + "\r\nt4 NOOP\r\n"))
        #expect(framer.next() == .error(.lineTooLong(tag: nil)))
        #expect(framer.next() == .frame(bytes("t4 NOOP")))
    }

    @Test("a too-big synchronising literal is refused when announced: no continuation, next command is read")
    func literalTooBigSynchronising() {
        var framer = IMAPFramer(limits: IMAPFramer.Limits(maxLineLength: 1000, maxLiteralSize: 100))
        framer.append(bytes("a1 APPEND INBOX {101}\r\n"))
        #expect(framer.next() == .error(.literalTooLarge(tag: "a1", size: 101, synchronizing: true)))
        #expect(framer.next() == nil)
        framer.append(bytes("a2 NOOP\r\n"))
        #expect(framer.next() == .frame(bytes("a2 NOOP")))
    }

    @Test("a too-big non-synchronising literal is refused at once, its bytes and the rest of its command skipped")
    func literalTooBigNonSynchronising() {
        var framer = IMAPFramer(limits: IMAPFramer.Limits(maxLineLength: 1000, maxLiteralSize: 10))
        framer.append(bytes("a1 APPEND INBOX (\\Seen) {18+}\r\n"))
        #expect(framer.next() == .error(.literalTooLarge(tag: "a1", size: 18, synchronizing: false)))
        #expect(framer.bufferedByteCount == 0)
        framer.append(bytes("x1 NOOP\r\nx2 NOOP\r\n {3+}\r\nabc {4}\r\n"))
        #expect(framer.next() == nil)
        framer.append(bytes("a2 NOOP\r\n"))
        #expect(framer.next() == .frame(bytes("a2 NOOP")))
    }

    @Test("the frame limit counts literals together")
    func frameTooBig() {
        var framer = IMAPFramer(limits: IMAPFramer.Limits(maxLineLength: 100, maxLiteralSize: 10, maxFrameSize: 40))
        framer.append(bytes("a1 APPEND X {10+}\r\n0123456789 {10}\r\n"))
        #expect(framer.next() == .error(.frameTooLarge(tag: "a1", synchronizing: true)))
        framer.append(bytes("a2 NOOP\r\n"))
        #expect(framer.next() == .frame(bytes("a2 NOOP")))
    }

    @Test("line mode returns the next line raw, once")
    func lineMode() {
        var framer = IMAPFramer()
        framer.append(bytes("a AUTHENTICATE PLAIN\r\nAGZyZWQAc2VjcmV0\r\n{5}\r\nb NOOP\r\n"))
        #expect(framer.next() == .frame(bytes("a AUTHENTICATE PLAIN")))
        framer.expectLine()
        #expect(framer.next() == .line(bytes("AGZyZWQAc2VjcmV0")))
        framer.expectLine()
        #expect(framer.next() == .line(bytes("{5}")))
        #expect(framer.next() == .frame(bytes("b NOOP")))
    }

    @Test("literal markers")
    func markers() {
        #expect(IMAPFramer.literalMarker(bytes("a {12}")[...])! == (12, true))
        #expect(IMAPFramer.literalMarker(bytes("a {12+}")[...])! == (12, false))
        #expect(IMAPFramer.literalMarker(bytes("a ~{0}")[...])! == (0, true))
        #expect(IMAPFramer.literalMarker(bytes("}")[...]) == nil)
        #expect(IMAPFramer.literalMarker(bytes("{}")[...]) == nil)
        #expect(IMAPFramer.literalMarker(bytes("{+}")[...]) == nil)
        #expect(IMAPFramer.literalMarker(bytes("a {1x}")[...]) == nil)
        #expect(IMAPFramer.literalMarker(bytes("{99999999999999999999}")[...]) == nil)
    }
}
