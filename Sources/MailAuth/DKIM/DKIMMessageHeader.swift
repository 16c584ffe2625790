/// The header section of a message (RFC 5322 §2.1), split into fields, and where its body
/// starts. Lines end with CRLF; a bare LF or CR is an ordinary octet here (mail read from a
/// file with LF line ends goes through `normalizingLineEnds` first).
public struct DKIMMessageHeader: Sendable, Hashable {
    /// The fields, top to bottom.
    public let fields: [DKIMHeaderField]
    /// The offset of the first body octet: just after the empty line that ends the header
    /// section, or the end of the input when there is no such line (then the body is empty).
    public let bodyOffset: Int

    /// Parses the header section at the start of `message`.
    public init(parsing message: [UInt8]) {
        var fields: [DKIMHeaderField] = []
        var fieldStart: Int?
        var lineStart = 0
        var bodyOffset = message.count
        while lineStart < message.count {
            let lineEnd = Self.lineEnd(message, from: lineStart)
            let first = message[lineStart]
            if lineEnd - lineStart == 2 && first == 0x0D {
                bodyOffset = lineEnd
                break
            }
            if first != 0x20 && first != 0x09 {
                // A new field starts here; a continuation line (WSP first) extends the previous one.
                if let start = fieldStart { fields.append(DKIMHeaderField(raw: Array(message[start..<lineStart]))) }
                fieldStart = lineStart
            } else if fieldStart == nil {
                fieldStart = lineStart
            }
            lineStart = lineEnd
        }
        if let start = fieldStart {
            fields.append(DKIMHeaderField(raw: Array(message[start..<min(lineStart, bodyOffset)])))
        }
        self.fields = fields
        self.bodyOffset = bodyOffset
    }

    /// The index after the CRLF that ends the line starting at `start`, or the end of `message`.
    private static func lineEnd(_ message: [UInt8], from start: Int) -> Int {
        var index = start
        while index < message.count {
            if message[index] == 0x0A, index > start, message[index - 1] == 0x0D { return index + 1 }
            index += 1
        }
        return message.count
    }

    /// `message` with every line end as CRLF: a bare LF becomes CRLF (messages read from files or
    /// pipes, as `posta dkim sign` and `verify` get them). A lone CR is left alone.
    public static func normalizingLineEnds(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 32)
        var previous: UInt8 = 0
        for octet in message {
            if octet == 0x0A && previous != 0x0D { out.append(0x0D) }
            out.append(octet)
            previous = octet
        }
        return out
    }
}
