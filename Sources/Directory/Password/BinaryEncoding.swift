/// The encodings Dovecot applies to raw scheme data: the `.HEX`, `.B64` and
/// `.BASE64` name suffixes, or each scheme's default.
enum BinaryEncoding: Sendable, Hashable {
    case none, base64, hex

    /// The encoding named by a scheme suffix (`HEX`, `B64`, `BASE64`), case-insensitively.
    init?(suffix: String) {
        switch suffix.uppercased() {
        case "HEX": self = .hex
        case "B64", "BASE64": self = .base64
        default: return nil
        }
    }

    func decode(_ text: Substring) -> [UInt8]? {
        switch self {
        case .none: Array(text.utf8)
        case .base64: Self.decodeBase64(text.utf8)
        case .hex: Self.decodeHex(text.utf8)
        }
    }

    /// Strict RFC 4648 base64: length a multiple of 4, `=` padding only at the
    /// end (as Dovecot requires: it rejects unpadded or truncated data).
    static func decodeBase64(_ text: Substring.UTF8View) -> [UInt8]? {
        let chars = Array(text)
        guard chars.count % 4 == 0 else { return nil }
        var padding = 0
        if chars.last == UInt8(ascii: "=") {
            padding = chars[chars.count - 2] == UInt8(ascii: "=") ? 2 : 1
        }
        var output: [UInt8] = []
        output.reserveCapacity(chars.count / 4 * 3)
        var accumulator: UInt32 = 0
        for (index, char) in chars.enumerated() {
            let value: UInt32
            if index >= chars.count - padding {
                value = 0
            } else {
                guard let sextet = sextet(char) else { return nil }
                value = sextet
            }
            accumulator = accumulator << 6 | value
            if index % 4 == 3 {
                output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                output.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
            }
        }
        output.removeLast(padding)
        return output
    }

    private static func sextet(_ char: UInt8) -> UInt32? {
        switch char {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(char - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(char - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(char - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    /// Hex digits in either case, even length.
    static func decodeHex(_ text: Substring.UTF8View) -> [UInt8]? {
        let chars = Array(text)
        guard chars.count % 2 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            output.append(high << 4 | low)
            index += 2
        }
        return output
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
