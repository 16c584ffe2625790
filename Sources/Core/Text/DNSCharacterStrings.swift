/// TXT record text in DNS master-file form, shared by every record the site asks its
/// administrator to publish (`posta dns records`).
public enum DNSCharacterStrings {
    /// RFC 1035 §3.3 character-strings are at most 255 octets: `text` cut into such pieces (a
    /// 2048-bit DKIM key does not fit in one), each quoted, with `"` and `\` escaped and octets
    /// outside printable ASCII written `\DDD` (§5.1).
    public static func quoted(_ text: String) -> [String] {
        let octets = Array(text.utf8)
        var strings: [String] = []
        var start = 0
        repeat {
            let piece = octets[start..<min(start + 255, octets.count)]
            var quoted = "\""
            for octet in piece {
                switch octet {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): quoted += "\\" + String(UnicodeScalar(octet))
                case 0x20...0x7E: quoted.unicodeScalars.append(UnicodeScalar(octet))
                default:
                    let digits = String(octet)
                    quoted += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            strings.append(quoted + "\"")
            start += 255
        } while start < octets.count
        return strings
    }

    /// The record data: one string as it is, several in parentheses (RFC 1035 §5.1).
    public static func presentation(_ text: String) -> String {
        let strings = quoted(text)
        return strings.count == 1 ? strings[0] : "( " + strings.joined(separator: " ") + " )"
    }
}
