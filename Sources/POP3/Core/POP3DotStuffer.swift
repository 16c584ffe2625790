/// Streams a stored message as the body of a multi-line response (RFC 1939 §3): a line that
/// begins with "." gets one more; the body ends with CRLF "." CRLF, with a CRLF added first when
/// the message does not end with one. For TOP (RFC 1939 §7) it stops after the header, the blank
/// line, and `bodyLineLimit` body lines.
///
/// Chunks may split lines anywhere (even between CR and LF); the state carries over.
public struct POP3DotStuffer: Sendable {
    public let bodyLineLimit: Int?
    private var atLineStart = true
    private var lineIsEmpty = true
    private var inHeader = true
    private var bodyLines = 0
    private var previous: UInt8 = 0
    private var last: UInt8 = 0
    private var emitted = false
    /// TOP has sent all it should: further input is ignored.
    public private(set) var isComplete = false

    public init(bodyLineLimit: Int? = nil) {
        self.bodyLineLimit = bodyLineLimit
    }

    /// The stuffed form of the next chunk of the message.
    public mutating func encode<C: Collection<UInt8>>(_ chunk: C) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(chunk.count + chunk.count / 64 + 8)
        encode(chunk, into: &out)
        return out
    }

    public mutating func encode<C: Collection<UInt8>>(_ chunk: C, into out: inout [UInt8]) {
        if bodyLineLimit == nil {
            // RETR: only line starts matter.
            for byte in chunk {
                if atLineStart && byte == 0x2E { out.append(0x2E) }
                out.append(byte)
                atLineStart = byte == 0x0A
                previous = last
                last = byte
                emitted = true
            }
            return
        }
        guard !isComplete else { return }
        for byte in chunk {
            if atLineStart && byte == 0x2E { out.append(0x2E) }
            out.append(byte)
            previous = last
            last = byte
            emitted = true
            if byte == 0x0A {
                if inHeader {
                    if lineIsEmpty {
                        inHeader = false
                        if bodyLineLimit == 0 { isComplete = true }
                    }
                } else {
                    bodyLines += 1
                    if bodyLines >= bodyLineLimit! { isComplete = true }
                }
                atLineStart = true
                lineIsEmpty = true
                if isComplete { return }
            } else {
                atLineStart = false
                if byte != 0x0D { lineIsEmpty = false }
            }
        }
    }

    /// The end of the response: CRLF if the last line is unterminated, then "." CRLF.
    public func finish() -> [UInt8] {
        if emitted && !(previous == 0x0D && last == 0x0A) { return [0x0D, 0x0A, 0x2E, 0x0D, 0x0A] }
        return [0x2E, 0x0D, 0x0A]
    }
}
