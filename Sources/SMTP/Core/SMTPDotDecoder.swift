/// The DATA content decoder (RFC 5321 §4.5.2, §4.1.1.4): finds the end-of-data marker and removes
/// dot-stuffing, as a streaming state machine that never holds more than two bytes.
///
/// The content starts as if after a CRLF. It ends only at `CRLF . CRLF`; the final CRLF before the
/// dot belongs to the content. Lines are CRLF-terminated only: a bare LF or bare CR never starts a
/// line, so `\n.\n`, `\r.\n`, `\n.\r\n` and `\r\n.\n` are content (the SMTP smuggling family,
/// CVE-2023-51766 and relatives). A line starting with `.` followed by an ordinary character loses
/// that dot (`..` → `.`); a dot followed by a bare CR or bare LF is a malformed, smuggling-shaped line
/// and is passed through unchanged rather than rewritten.
struct SMTPDotDecoder: Sendable, Hashable {
    enum State: Sendable, Hashable {
        /// After CRLF (or at the start of the content).
        case lineStart
        /// After CRLF `.`.
        case dot
        /// After CRLF `.` CR.
        case dotCR
        case midLine
        /// After a CR that was not at a line start.
        case cr
    }

    private(set) var state: State = .lineStart

    /// Decodes a prefix of `input`, appending content to `output`. Returns how many bytes were used
    /// and whether the end-of-data marker was reached (its bytes are consumed, not output).
    mutating func decode(_ input: ArraySlice<UInt8>, into output: inout [UInt8]) -> (consumed: Int, finished: Bool) {
        var i = input.startIndex
        while i < input.endIndex {
            switch state {
            case .midLine:
                if let cr = input[i...].firstIndex(of: 13) {
                    output.append(contentsOf: input[i...cr])
                    i = cr + 1
                    state = .cr
                } else {
                    output.append(contentsOf: input[i...])
                    i = input.endIndex
                }
            case .cr:
                let b = input[i]
                i += 1
                output.append(b)
                state = b == 10 ? .lineStart : b == 13 ? .cr : .midLine
            case .lineStart:
                let b = input[i]
                i += 1
                if b == UInt8(ascii: ".") {
                    state = .dot
                } else {
                    output.append(b)
                    state = b == 13 ? .cr : .midLine
                }
            case .dot:
                let b = input[i]
                i += 1
                switch b {
                case 13:
                    state = .dotCR
                case 10:
                    output.append(UInt8(ascii: "."))
                    output.append(10)
                    state = .midLine
                default:
                    output.append(b)  // the stuffed dot is removed
                    state = .midLine
                }
            case .dotCR:
                if input[i] == 10 {
                    i += 1
                    state = .lineStart
                    return (i - input.startIndex, true)
                }
                output.append(UInt8(ascii: "."))
                output.append(13)
                state = .midLine  // reprocess this byte as ordinary content after a bare CR
            }
        }
        return (i - input.startIndex, false)
    }
}
