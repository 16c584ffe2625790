/// Splits the bytes an IMAP server sends into responses and parses them, with no I/O: ``append(_:)`` what
/// arrived, then call ``next()`` until it returns nil ("need more bytes"). The result does not depend on how
/// the bytes were split.
///
/// Framing (RFC 9051 §4.3, §7.5): a response is a line ending in CRLF, except that a line ending in `{n}` is
/// followed by `n` bytes of literal and the response goes on after them. Bounds, each refused with an
/// ``IMAPPullError`` rather than buffered: a line over ``maxLineLength`` without CRLF, a literal announced
/// above ``maxLiteralSize``, parentheses nested deeper than ``maxDepth``.
public struct IMAPResponseReader: Sendable {
    /// Far above any line a server sends outside literals (a long LIST or FLAGS line).
    public static let defaultMaxLineLength = 64 * 1024
    /// The largest message the pull takes (the mbox importer's default too).
    public static let defaultMaxLiteralSize = 64 << 20
    /// BODYSTRUCTURE nests a few levels per MIME level; the pull needs 2.
    public static let maxDepth = 32

    public let maxLineLength: Int
    public let maxLiteralSize: Int

    private var buffer: [UInt8] = []
    private var start = 0
    /// The response being framed: its line parts and the literals that came between them.
    private var lines: [[UInt8]] = []
    private var literals: [[UInt8]] = []
    private var pendingLiteral: Int?
    private var failed: IMAPPullError?

    public init(maxLineLength: Int = defaultMaxLineLength, maxLiteralSize: Int = defaultMaxLiteralSize) {
        self.maxLineLength = maxLineLength
        self.maxLiteralSize = maxLiteralSize
    }

    /// Takes bytes as they came from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 65536, start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole response, or nil until more bytes arrive. After an error every call throws it again.
    public mutating func next() throws(IMAPPullError) -> IMAPPullResponse? {
        if let failed { throw failed }
        do {
            guard let (text, literals) = try frame() else { return nil }
            var parser = IMAPPullParser(text: text, literals: literals)
            return try parser.response()
        } catch {
            failed = error
            throw error
        }
    }

    private mutating func frame() throws(IMAPPullError) -> ([[UInt8]], [[UInt8]])? {
        while true {
            if let count = pendingLiteral {
                guard buffer.count - start >= count else { return nil }
                literals.append(Array(buffer[start..<start + count]))
                start += count
                pendingLiteral = nil
            }
            guard let lf = buffer[start...].firstIndex(of: 0x0A) else {
                if buffer.count - start > maxLineLength {
                    throw IMAPPullError("server line longer than \(maxLineLength) bytes without CRLF")
                }
                return nil
            }
            var line = Array(buffer[start..<lf])
            guard line.count <= maxLineLength + 1 else {
                throw IMAPPullError("server line longer than \(maxLineLength) bytes")
            }
            start = lf + 1
            if line.last == 0x0D { line.removeLast() }
            lines.append(line)
            if let count = try Self.literalAnnouncement(line) {
                guard count <= maxLiteralSize else {
                    throw IMAPPullError("server announced a literal of \(count) bytes, above the \(maxLiteralSize) bound")
                }
                pendingLiteral = count
                continue
            }
            defer { (lines, literals) = ([], []) }
            return (lines, literals)
        }
    }

    /// `{n}` at the end of a line (RFC 9051 §4.3; `{n+}` is client-only, but tolerated), or nil.
    static func literalAnnouncement(_ line: [UInt8]) throws(IMAPPullError) -> Int? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = line[(open + 1)..<(line.count - 1)]
        if digits.last == UInt8(ascii: "+") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard digits.count <= 18, let count = Int(String(decoding: digits, as: UTF8.self)) else {
            throw IMAPPullError("server announced a literal too large to count")
        }
        return count
    }
}
