/// Base64 as every SASL profile here uses it on the wire: RFC 4648 §4, the standard alphabet,
/// padding required, no whitespace or line breaks (SMTP: RFC 4954 §4; IMAP: RFC 9051 §6.2.2;
/// POP3: RFC 5034 §4). Message bodies use MIME's lenient RFC 2045 decoder instead.
public enum SASLBase64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The 6-bit value of an alphabet character, nil for anything else (`=` included).
    private static func value(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(c - UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    /// Decodes `text`; nil unless it is canonical-length base64 (a multiple of four characters,
    /// at most two `=` and only at the end, RFC 4648 §3.2–§3.3). The empty text is the empty message.
    public static func decode<C: Collection<UInt8>>(_ text: C) -> [UInt8]? {
        let chars = Array(text)
        guard chars.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 4 * 3)
        var i = 0
        while i < chars.count {
            let isLastGroup = i + 4 == chars.count
            var group: UInt32 = 0
            var pad = 0
            for j in 0..<4 {
                let c = chars[i + j]
                if c == UInt8(ascii: "=") {
                    // Padding only in the last group, only in its last two places.
                    guard isLastGroup, j >= 2 else { return nil }
                    pad += 1
                    group <<= 6
                } else {
                    guard pad == 0, let v = value(c) else { return nil }
                    group = group << 6 | v
                }
            }
            out.append(UInt8(truncatingIfNeeded: group >> 16))
            if pad < 2 { out.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if pad < 1 { out.append(UInt8(truncatingIfNeeded: group)) }
            i += 4
        }
        return out
    }

    /// Decodes a string; see `decode(_:)`.
    public static func decode(_ text: String) -> [UInt8]? { decode(text.utf8) }

    /// Encodes `bytes` with padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var group = UInt32(bytes[i]) << 16
            if n > 1 { group |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { group |= UInt32(bytes[i + 2]) }
            for j in 0..<4 {
                out.append(j <= n ? alphabet[Int(group >> UInt32(18 - 6 * j) & 63)] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes UTF-8 text (challenges such as `Username:`).
    public static func encode(_ text: String) -> String { encode(Array(text.utf8)) }
}
