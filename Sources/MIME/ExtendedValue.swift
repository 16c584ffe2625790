/// Parameter values outside a quoted string's reach: a file name as RFC 2231 §4 / RFC 8187
/// `ext-value` (`utf-8''` followed by percent-encoded UTF-8), and its ASCII stand-in for readers
/// without them. Used by mail (Content-Disposition) and HTTP (RFC 6266) alike.
public enum ExtendedValue {
    /// UTF-8 bytes of `text`, `attr-char`s as they are and every other byte as `%XX` (RFC 8187 §3.2.1).
    public static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            let c = Character(UnicodeScalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || "!#$&+-.^_`|~".contains(c)) {
                encoded.append(c)
            } else {
                encoded += "%" + hexDigits(byte)
            }
        }
        return encoded
    }

    /// `text` in printable ASCII for a quoted string, `_` for what it cannot show (`"`, `\`,
    /// control characters, non-ASCII, and `extraUnsafe`); "attachment" when nothing is left.
    public static func asciiFallback(_ text: String, extraUnsafe: Set<Character> = []) -> String {
        let mapped = text.unicodeScalars.map { scalar -> Character in
            scalar.value >= 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "\\"
                && !extraUnsafe.contains(Character(scalar)) ? Character(scalar) : "_"
        }
        return mapped.isEmpty ? "attachment" : String(mapped)
    }

    /// Two upper-case hexadecimal digits.
    public static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
