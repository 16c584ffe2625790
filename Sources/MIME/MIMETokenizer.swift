/// Lexical scanning of MIME structured fields (RFC 2045 §5.1: token, tspecials, quoted-string; RFC 5322
/// comments are skipped as CFWS).
struct MIMETokenizer {
    let bytes: [UInt8]
    var index: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.index = 0
    }

    var atEnd: Bool { index >= bytes.count }

    /// RFC 2045 §5.1 tspecials.
    static func isTSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x28, 0x29, 0x3C, 0x3E, 0x40, 0x2C, 0x3B, 0x3A, 0x5C, 0x22, 0x2F, 0x5B, 0x5D, 0x3F, 0x3D: true
        default: false
        }
    }

    /// Skips whitespace and (nested) comments.
    mutating func skipCFWS() {
        while index < bytes.count {
            let byte = bytes[index]
            if ASCII.isWhitespace(byte) {
                index += 1
            } else if byte == 0x28 {
                skipComment()
            } else {
                return
            }
        }
    }

    private mutating func skipComment() {
        var depth = 0
        while index < bytes.count {
            switch bytes[index] {
            case 0x28: depth += 1
            case 0x29:
                depth -= 1
                if depth == 0 {
                    index += 1
                    return
                }
            case ASCII.backslash: index += 1
            default: break
            }
            index += 1
        }
    }

    /// Consumes `byte` (after CFWS) if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipCFWS()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A token (RFC 2045 §5.1), or nil if none is next.
    mutating func token() -> ArraySlice<UInt8>? {
        skipCFWS()
        let start = index
        while index < bytes.count, bytes[index] > 0x20, bytes[index] != 0x7F, !Self.isTSpecial(bytes[index]) {
            index += 1
        }
        return index > start ? bytes[start..<index] : nil
    }

    /// A quoted-string's content with quoted-pairs resolved (RFC 5322 §3.2.4); tolerates a missing end quote.
    mutating func quotedString() -> [UInt8]? {
        skipCFWS()
        guard index < bytes.count, bytes[index] == ASCII.quote else { return nil }
        index += 1
        var content: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == ASCII.quote { return content }
            if byte == ASCII.backslash, index < bytes.count {
                content.append(bytes[index])
                index += 1
            } else {
                content.append(byte)
            }
        }
        return content
    }

    /// A parameter value: quoted-string or token, or (leniently) anything up to the next `;`, trimmed.
    mutating func parameterValue() -> (value: [UInt8], quoted: Bool) {
        if let quoted = quotedString() { return (quoted, true) }
        skipCFWS()
        let start = index
        while index < bytes.count, bytes[index] != ASCII.semicolon { index += 1 }
        var end = index
        while end > start, ASCII.isWhitespace(bytes[end - 1]) { end -= 1 }
        return (Array(bytes[start..<end]), false)
    }

    /// Skips to the next `;` (error recovery).
    mutating func skipToSemicolon() {
        while index < bytes.count, bytes[index] != ASCII.semicolon { index += 1 }
    }
}
