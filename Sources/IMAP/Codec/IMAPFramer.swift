/// Splits the client's byte stream into command frames (sans-I/O): one command line plus its literals
/// (RFC 9051 §2.2.1, §4.3; RFC 7888 LITERAL+/LITERAL-; RFC 3516 §4.1 literal8).
///
/// Feed bytes with ``append(_:)`` in any chunking, then call ``next()`` until it returns nil. A frame is
/// the command exactly as sent, literals inline (`{n}CRLF` + n bytes), without its final line end (CRLF
/// or a bare LF), ready for ``IMAPCommandParser``. Between calls to ``next()`` the adapter may switch to
/// line mode with ``expectLine()``: the next line (AUTHENTICATE data, IDLE's `DONE`) comes back as
/// ``Event/line(_:)`` without literal processing.
///
/// Limits are enforced before bytes are buffered: a line is never held beyond `maxLineLength`, a literal
/// over `maxLiteralSize` (or one that would make the frame exceed `maxFrameSize`) is refused when
/// announced, so no continuation is sent for it. After an error the framer resynchronises at the next
/// command: it drops the rest of an over-long line, and skips the bytes of a refused non-synchronising
/// literal together with the rest of its command.
public struct IMAPFramer: Sendable {
    public struct Limits: Sendable, Hashable {
        /// Bytes of command text per frame, literals excluded, line ends included.
        public var maxLineLength: Int
        /// The largest literal accepted (the APPENDLIMIT, RFC 7889).
        public var maxLiteralSize: Int
        /// Bytes of a whole frame, literals included.
        public var maxFrameSize: Int

        public init(maxLineLength: Int = 64 * 1024, maxLiteralSize: Int = 50 * 1024 * 1024, maxFrameSize: Int? = nil) {
            self.maxLineLength = maxLineLength
            self.maxLiteralSize = maxLiteralSize
            self.maxFrameSize = maxFrameSize ?? maxLiteralSize + maxLineLength
        }
    }

    public enum Event: Sendable, Hashable {
        /// A complete command frame.
        case frame([UInt8])
        /// A synchronising literal was announced and accepted: send a continuation request (`+ Ready`)
        /// now; its bytes follow.
        case continuationRequest
        /// A line read in line mode, without its line end.
        case line([UInt8])
        /// The current command was refused; answer it (the tag is given when readable).
        case error(IMAPFramingError)
    }

    /// May change between frames (e.g. raised once the client has logged in).
    public var limits: Limits
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes from `start` up to here hold no LF.
    private var scanned = 0
    private var frame: [UInt8] = []
    /// Command-text bytes in `frame` (literals excluded).
    private var frameTextLength = 0
    private var state = State.line
    /// The current command was refused: follow its structure but keep nothing.
    private var discarding = false
    private var lineMode = false

    private enum State: Sendable {
        case line
        case literal(remaining: Int)
        case skipLiteral(remaining: Int)
        /// Drop bytes up to and including the next LF.
        case discardLine
    }

    public init(limits: Limits = Limits()) { self.limits = limits }

    /// Bytes received and not yet framed (for diagnostics and back-pressure).
    public var bufferedByteCount: Int { buffer.count - start + frame.count }

    /// Adds received bytes (e.g. `[UInt8]` or a NIO `ByteBuffer.readableBytesView`).
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Delivers the next line as ``Event/line(_:)`` (once), e.g. for AUTHENTICATE data or `DONE` of IDLE.
    public mutating func expectLine() { lineMode = true }

    /// The next event, or nil when more bytes are needed.
    public mutating func next() -> Event? {
        while true {
            switch state {
            case .line:
                if let event = nextLine() { return event }
                if case .line = state { return nil }
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
            case .discardLine:
                guard let lf = findLF() else {
                    consume(buffer.count - start)
                    return nil
                }
                consume(lf + 1 - start)
                resetFrame()
            }
        }
    }

    /// In `.line` state: an event, or nil with `state` changed (continue) or unchanged (need more).
    private mutating func nextLine() -> Event? {
        let budget = min(limits.maxLineLength - frameTextLength, limits.maxFrameSize - frame.count)
        guard let lf = findLF() else {
            if buffer.count - start >= budget { return refuseLine() }
            return nil
        }
        if lf + 1 - start > budget { return refuseLine() }
        var end = lf
        if end > start && buffer[end - 1] == 13 { end -= 1 }
        if lineMode && frame.isEmpty && !discarding {
            lineMode = false
            let line = Array(buffer[start..<end])
            consume(lf + 1 - start)
            return .line(line)
        }
        let marker = Self.literalMarker(buffer[start..<end])
        if !discarding {
            frame.append(contentsOf: buffer[start..<end])
            frameTextLength += lf + 1 - start
        }
        consume(lf + 1 - start)
        guard let marker else {
            // The command is complete.
            defer { resetFrame() }
            return discarding ? nil : .frame(frame)
        }
        if discarding {
            // A synchronising literal of a refused command is never sent: the command ends here.
            if marker.synchronizing { resetFrame() } else { state = Self.skipping(marker.size) }
            return nil
        }
        frame.append(13)
        frame.append(10)
        let tooBig: IMAPFramingError? =
            marker.size > limits.maxLiteralSize
            ? .literalTooLarge(tag: tag, size: marker.size, synchronizing: marker.synchronizing)
            : marker.size > limits.maxFrameSize - frame.count
                ? .frameTooLarge(tag: tag, synchronizing: marker.synchronizing) : nil
        if let tooBig {
            if marker.synchronizing {
                resetFrame()
            } else {
                // Keep nothing of the refused command; follow its structure to its end.
                frame = []
                frameTextLength = 0
                discarding = true
                state = Self.skipping(marker.size)
            }
            return .error(tooBig)
        }
        frame.reserveCapacity(frame.count + min(marker.size, 1 << 20))
        if marker.size > 0 { state = .literal(remaining: marker.size) }
        return marker.synchronizing ? .continuationRequest : nil
    }

    private static func skipping(_ size: Int) -> State { size > 0 ? .skipLiteral(remaining: size) : .line }

    /// The line (or the frame) is over its limit: report it and drop the line at once, up to its LF if it
    /// has arrived, otherwise everything buffered and the rest of the line as it comes.
    private mutating func refuseLine() -> Event? {
        let wasDiscarding = discarding
        let tag = lineMode && frame.isEmpty ? nil : self.tag
        lineMode = lineMode && !frame.isEmpty
        if let lf = findLF() {
            consume(lf + 1 - start)
            resetFrame()
        } else {
            consume(buffer.count - start)
            frame = []
            frameTextLength = 0
            discarding = true
            state = .discardLine
        }
        return wasDiscarding ? nil : .error(.lineTooLong(tag: tag))
    }

    /// The tag of the current command, from the frame or the line being read.
    private var tag: String? {
        frame.isEmpty
            ? IMAPCommandParser.tag(of: buffer[start..<min(buffer.count, start + 257)])
            : IMAPCommandParser.tag(of: frame.prefix(257))
    }

    /// `{n}`, `{n+}`, `~{n}` or `~{n+}` at the end of a line (RFC 9051 §9 `literal`, RFC 7888 §8, RFC 3516 §6).
    static func literalMarker(_ line: ArraySlice<UInt8>) -> (size: Int, synchronizing: Bool)? {
        guard line.last == UInt8(ascii: "}") else { return nil }
        var index = line.endIndex - 2
        let synchronizing = !(index >= line.startIndex && line[index] == UInt8(ascii: "+"))
        if !synchronizing { index -= 1 }
        var size = 0
        var digits = 0
        var scale = 1
        while index >= line.startIndex, IMAPCharacter.isDigit(line[index]) {
            digits += 1
            guard digits <= 18 else { return nil }
            size += Int(line[index] - 0x30) * scale
            scale *= 10
            index -= 1
        }
        guard digits > 0, index >= line.startIndex, line[index] == UInt8(ascii: "{") else { return nil }
        return (size, synchronizing)
    }

    private mutating func findLF() -> Int? {
        if let lf = buffer[scanned...].firstIndex(of: 10) { return lf }
        scanned = buffer.count
        return nil
    }

    private mutating func consume(_ count: Int) {
        start += count
        scanned = max(scanned, start)
    }

    private mutating func resetFrame() {
        frame = []
        frameTextLength = 0
        discarding = false
        state = .line
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 17)
            scanned = 0
            start = 0
        } else if start > 1 << 16 && start * 2 > buffer.count {
            // Only once most of the storage is consumed: each byte is moved at most once on average.
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
    }
}

/// Why the framer refused a command (RFC 9051 §7.1 `TOOBIG`, RFC 7888 §4).
public enum IMAPFramingError: Error, Sendable, Hashable {
    /// The command text was longer than `maxLineLength`: answer `tag BAD` (or `* BAD` without a tag).
    case lineTooLong(tag: String?)
    /// A literal over `maxLiteralSize`: answer `tag NO [TOOBIG]` (APPEND) or `tag BAD [TOOBIG]`. No
    /// continuation was requested; a non-synchronising literal's bytes are skipped.
    case literalTooLarge(tag: String?, size: Int, synchronizing: Bool)
    /// The literals together would exceed `maxFrameSize`; handled like ``literalTooLarge(tag:size:synchronizing:)``.
    case frameTooLarge(tag: String?, synchronizing: Bool)

    public var tag: String? {
        switch self {
        case .lineTooLong(let tag), .literalTooLarge(let tag, _, _), .frameTooLarge(let tag, _): tag
        }
    }
}
