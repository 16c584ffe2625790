/// Splits the client's byte stream into commands (sans-I/O): one command line plus the literals it
/// announces (RFC 5804 §4 `literal-c2s`).
///
/// RFC 5804 §4 lets a client send only non-synchronizing literals, `{N+}` CRLF followed at once by N
/// octets: ManageSieve has no continuation request. A client that writes `{N}` gets the same
/// treatment (the server answers nothing and reads the N octets), as Dovecot and Cyrus do; waiting
/// for a `+` that never comes would only hang it.
///
/// Feed bytes with `append(_:)` in any chunking, then call `next()` until it returns nil. A frame is
/// the command exactly as sent, literals inline (`{N+}` CRLF and N octets), without its final line
/// end, ready for `ManageSieveCommandParser`.
///
/// Limits are enforced before bytes are kept: command text (literals excluded) is at most
/// `maxLineLength` per frame; a literal over `maxLiteralSize`, or one that would make the frame
/// exceed `maxFrameSize`, is refused when announced (`.literalTooLarge`) and its octets are skipped
/// uncounted, together with the rest of its command. An over-long line cannot be resynchronised
/// safely (its end might announce a literal): it is fatal (`.lineTooLong`).
public struct ManageSieveFramer: Sendable {
    public struct Limits: Sendable, Hashable {
        /// Command text per frame, line ends included, literals excluded.
        public var maxLineLength: Int
        /// The largest literal accepted.
        public var maxLiteralSize: Int
        /// A whole frame, literals included.
        public var maxFrameSize: Int

        public init(maxLineLength: Int = 8 * 1024, maxLiteralSize: Int, maxFrameSize: Int? = nil) {
            self.maxLineLength = maxLineLength
            self.maxLiteralSize = maxLiteralSize
            self.maxFrameSize = maxFrameSize ?? maxLiteralSize + 2 * maxLineLength
        }
    }

    public enum Event: Sendable, Hashable {
        /// A complete command.
        case frame([UInt8])
        /// A literal of `size` octets was announced over the limits: the command is refused now, its
        /// octets and the rest of it are skipped.
        case literalTooLarge(size: Int)
        /// A line longer than the limit: nothing more can be read from this client.
        case lineTooLong
    }

    /// May change between frames (raised once the client has logged in).
    public var limits: Limits
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes from `start` up to here hold no LF.
    private var scanned = 0
    private var frame: [UInt8] = []
    private var frameTextLength = 0
    private var state = State.line
    /// The current command was refused: follow its structure, keep nothing.
    private var discarding = false
    private var failed = false

    private enum State: Sendable, Hashable {
        case line
        case literal(remaining: Int)
        case skipLiteral(remaining: Int)
    }

    /// The largest literal size read from a `{N}` marker; more digits than this is not a number.
    static let maxLiteralDigits = 10

    public init(limits: Limits) { self.limits = limits }

    /// Bytes received and not yet framed.
    public var bufferedByteCount: Int { buffer.count - start + frame.count }

    /// Octets of the literal being read still to come (kept or skipped); nil between literals.
    public var literalBytesRemaining: Int? {
        switch state {
        case .line: nil
        case .literal(let remaining), .skipLiteral(let remaining): remaining
        }
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        guard !failed else { return }
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Drops everything buffered (STARTTLS, RFC 5804 §2.2: nothing sent before the handshake counts).
    public mutating func reset() {
        buffer = []
        start = 0
        scanned = 0
        resetFrame()
        state = .line
    }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        while !failed {
            switch state {
            case .line:
                guard let lf = findLF() else {
                    if buffer.count - start > limits.maxLineLength - frameTextLength { return fail() }
                    return nil
                }
                if let event = line(endingAt: lf) { return event }
            case .literal(let remaining):
                let count = min(remaining, buffer.count - start)
                guard count > 0 else { return nil }
                frame.append(contentsOf: buffer[start..<start + count])
                consume(count)
                state = remaining == count ? .line : .literal(remaining: remaining - count)
            case .skipLiteral(let remaining):
                let count = min(remaining, buffer.count - start)
                guard count > 0 else { return nil }
                consume(count)
                state = remaining == count ? .line : .skipLiteral(remaining: remaining - count)
            }
        }
        return nil
    }

    /// A line of command text is complete: a frame, a refusal, or nil to read its literal.
    private mutating func line(endingAt lf: Int) -> Event? {
        let length = lf + 1 - start
        if length > limits.maxLineLength - frameTextLength { return fail() }
        var end = lf
        if end > start && buffer[end - 1] == 13 { end -= 1 }
        let marker = Self.literalMarker(buffer[start..<end])
        if !discarding {
            frame.append(contentsOf: buffer[start..<end])
            frameTextLength += length
        }
        consume(length)
        guard let size = marker else {
            defer { resetFrame() }
            return discarding ? nil : .frame(frame)
        }
        if discarding {
            state = .skipLiteral(remaining: size)
            return nil
        }
        frame.append(13)
        frame.append(10)
        guard size <= limits.maxLiteralSize, size <= limits.maxFrameSize - frame.count else {
            discarding = true
            frame = []
            state = .skipLiteral(remaining: size)
            return .literalTooLarge(size: size)
        }
        state = .literal(remaining: size)
        return nil
    }

    private mutating func fail() -> Event {
        failed = true
        buffer = []
        start = 0
        scanned = 0
        resetFrame()
        return .lineTooLong
    }

    /// RFC 5804 §4: `"{" number "+}"` (or `"{" number "}"`) at the very end of a line.
    static func literalMarker(_ line: ArraySlice<UInt8>) -> Int? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var index = line.endIndex - 1
        if index > line.startIndex && line[index - 1] == UInt8(ascii: "+") { index -= 1 }
        var digits = index
        while digits > line.startIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(line[digits - 1]) {
            digits -= 1
        }
        guard digits < index, index - digits <= maxLiteralDigits, digits > line.startIndex,
            line[digits - 1] == UInt8(ascii: "{")
        else { return nil }
        var value = 0
        for digit in line[digits..<index] { value = value * 10 + Int(digit - UInt8(ascii: "0")) }
        // RFC 5804 §4: number is a 32-bit unsigned value.
        return value <= Int(UInt32.max) ? value : nil
    }

    private mutating func findLF() -> Int? {
        var index = max(scanned, start)
        while index < buffer.count {
            if buffer[index] == 10 { return index }
            index += 1
        }
        scanned = index
        return nil
    }

    private mutating func consume(_ count: Int) {
        start += count
        if start >= buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
            start = 0
        }
        scanned = max(scanned, start)
        if scanned > buffer.count { scanned = start }
    }

    private mutating func resetFrame() {
        frame = []
        frameTextLength = 0
        discarding = false
    }
}
