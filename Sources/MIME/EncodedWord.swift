/// RFC 2047 encoded words (`=?charset?B|Q?text?=`) in header values.
public enum EncodedWord {
    /// Decodes every well-formed encoded word in an (unfolded) header value; malformed ones stay as written.
    /// Whitespace between adjacent encoded words is dropped (RFC 2047 §6.2), and adjacent words in the same
    /// charset are joined before charset conversion, so a character split across words survives.
    /// Text outside encoded words is read as UTF-8 (RFC 6532), or ISO-8859-1 when not valid UTF-8.
    public static func decode(_ bytes: [UInt8]) -> String {
        var result = ""
        var pending: (charset: String, bytes: [UInt8])?
        var textStart = 0
        var afterWord = false
        var index = 0

        func flush() {
            if let word = pending { result += Charset.decode(word.bytes, charset: word.charset) }
            pending = nil
        }

        while index + 1 < bytes.count {
            guard bytes[index] == ASCII.equals, bytes[index + 1] == 0x3F, let word = parseWord(bytes, at: index)
            else {
                index += 1
                continue
            }
            let gap = bytes[textStart..<index]
            if !(afterWord && gap.allSatisfy(ASCII.isWhitespace)) {
                flush()
                result += String(utf8OrLatin1: gap)
            }
            if pending?.charset != word.charset { flush() }
            pending = (word.charset, (pending?.bytes ?? []) + word.decoded)
            index = word.end
            textStart = index
            afterWord = true
        }
        flush()
        result += String(utf8OrLatin1: bytes[textStart...])
        return result
    }

    /// Decodes encoded words in a string value.
    public static func decode(_ string: String) -> String { decode(Array(string.utf8)) }

    /// Parses `=?charset?encoding?encoded-text?=` at `start` (RFC 2047 §2); nil if malformed.
    private static func parseWord(_ bytes: [UInt8], at start: Int) -> (charset: String, decoded: [UInt8], end: Int)? {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, bytes[index] != 0x3F {
            guard bytes[index] > 0x20, bytes[index] < 0x7F else { return nil }
            index += 1
        }
        guard index > charsetStart, index + 2 < bytes.count, bytes[index + 2] == 0x3F else { return nil }
        let charset = String(decoding: bytes[charsetStart..<index], as: UTF8.self).lowercased()
        let encoding = ASCII.lowercased(bytes[index + 1])
        guard encoding == 0x62 || encoding == 0x71 else { return nil }
        let textStart = index + 3
        index = textStart
        while index < bytes.count, bytes[index] != 0x3F {
            guard !ASCII.isWhitespace(bytes[index]) else { return nil }
            index += 1
        }
        guard index + 1 < bytes.count, bytes[index + 1] == ASCII.equals else { return nil }
        let text = bytes[textStart..<index]
        let decoded = encoding == 0x62 ? Base64.decode(text) : decodeQ(text)
        return (charset, decoded, index + 2)
    }

    /// The "Q" encoding (RFC 2047 §4.2): quoted-printable with `_` for space.
    private static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == 0x5F {
                out.append(ASCII.space)
            } else if byte == ASCII.equals, index + 2 < text.endIndex,
                let high = ASCII.hexValue(text[index + 1]), let low = ASCII.hexValue(text[index + 2])
            {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }
}
