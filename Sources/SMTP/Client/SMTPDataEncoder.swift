/// Turns stored message content into the DATA stream, chunk by chunk:
/// - every line ending becomes CRLF: bare LF and bare CR are normalised (RFC 5321 §2.3.8 allows
///   only CRLF; a lone CR or LF passed on could be read as a line end by one server and not by
///   another — the SMTP smuggling problem),
/// - a line starting with "." gets another "." (transparency, RFC 5321 §4.5.2),
/// - `finish()` ends the data with CRLF "." CRLF, adding the CRLF when the content did not end
///   with a line break (RFC 5321 §4.1.1.4).
/// State carries across chunks, so any split of the content gives the same output.
public struct SMTPDataEncoder: Sendable {
    private var atLineStart = true
    private var pendingCR = false

    public init() {}

    public mutating func encode<C: Collection<UInt8>>(_ chunk: C) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(chunk.count + chunk.count / 32 + 4)
        for byte in chunk {
            if pendingCR {
                pendingCR = false
                out.append(13)
                out.append(10)
                atLineStart = true
                if byte == 10 { continue }  // CR LF: one line end
                // A bare CR: ended a line; the byte starts the next one.
            }
            switch byte {
            case 13:
                pendingCR = true
            case 10:
                out.append(13)
                out.append(10)
                atLineStart = true
            default:
                if atLineStart, byte == UInt8(ascii: ".") { out.append(byte) }
                out.append(byte)
                atLineStart = false
            }
        }
        return out
    }

    /// The end of the content: a pending line end, a CRLF if the last line was unterminated,
    /// then ".\r\n".
    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        if pendingCR {
            pendingCR = false
            atLineStart = true
            out += [13, 10]
        }
        if !atLineStart { out += [13, 10] }
        out += [UInt8(ascii: "."), 13, 10]
        atLineStart = true
        return out
    }

    /// Encodes a whole message in one go.
    public static func encodeMessage<C: Collection<UInt8>>(_ content: C) -> [UInt8] {
        var encoder = SMTPDataEncoder()
        return encoder.encode(content) + encoder.finish()
    }
}
