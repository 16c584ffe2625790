/// xtext (RFC 3461 §4): printable US-ASCII except `+` and `=`, any other octet as `+XX`.
public enum XText {
    /// Decodes `text`; nil when it is not valid xtext or does not decode to UTF-8. Lower-case hex
    /// digits are accepted (RFC 3461 asks for upper case; being lenient costs nothing).
    public static func decode<S: StringProtocol>(_ text: S) -> String? {
        var out: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                out.append(high << 4 | low)
            case UInt8(ascii: "="):
                return nil
            case 33...126:
                out.append(byte)
            default:
                return nil
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// Encodes `text` as xtext (for DSNs and relaying the parameters onward).
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if (33...126).contains(byte) && byte != UInt8(ascii: "+") && byte != UInt8(ascii: "=") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("+")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}
