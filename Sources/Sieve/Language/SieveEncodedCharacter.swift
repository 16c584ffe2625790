/// RFC 5228 §2.4.2.4: `${hex:...}` and `${unicode:...}` in strings, decoded at compile time when the
/// script requires "encoded-character". A sequence that is not well formed is left as written.
enum SieveEncodedCharacter {
    enum Failure: Error {
        /// A `${unicode:...}` value outside 0-D7FF and E000-10FFFF (an error per §2.4.2.4).
        case invalidCodePoint(String)
    }

    static func decode(_ string: String) throws(Failure) -> String {
        guard string.contains("${") else { return string }
        let bytes = Array(string.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "$"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{"),
                let (decoded, end) = try sequence(bytes, at: index + 2)
            {
                out.append(contentsOf: decoded)
                index = end
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of one sequence starting after `${`, and the index after its `}`; nil when malformed.
    private static func sequence(_ bytes: [UInt8], at start: Int) throws(Failure) -> ([UInt8], Int)? {
        let isHex: Bool
        var index = start
        if matchWord(bytes, at: index, "hex:") {
            isHex = true
            index += 4
        } else if matchWord(bytes, at: index, "unicode:") {
            isHex = false
            index += 8
        } else {
            return nil
        }
        var values: [UInt32] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "}") {
                var out: [UInt8] = []
                for value in values {
                    if isHex {
                        out.append(UInt8(value))
                    } else {
                        guard let scalar = Unicode.Scalar(value) else {
                            throw .invalidCodePoint(String(value, radix: 16, uppercase: true))
                        }
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    }
                }
                return (out, index + 1)
            }
            if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A {
                index += 1
                continue
            }
            var digits = 0
            var value: UInt32 = 0
            while index < bytes.count, let digit = hexValue(bytes[index]) {
                digits += 1
                // hex-pair = 1*2HEXDIG; unicode-hex = 1*HEXDIG (leading zeros allowed, value bounded).
                if isHex, digits > 2 { return nil }
                value = value &* 16 &+ UInt32(digit)
                if value > 0x10_FFFF { throw .invalidCodePoint(String(decoding: bytes[start..<index + 1], as: UTF8.self)) }
                index += 1
            }
            guard digits > 0 else { return nil }
            values.append(value)
        }
        return nil
    }

    private static func matchWord(_ bytes: [UInt8], at index: Int, _ word: String) -> Bool {
        let word = Array(word.utf8)
        guard index + word.count <= bytes.count else { return false }
        for (offset, char) in word.enumerated() where SieveASCII.lower(bytes[index + offset]) != char { return false }
        return true
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

/// ASCII helpers shared by the module.
enum SieveASCII {
    static func lower(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte + 32 : byte }
    static func upper(_ byte: UInt8) -> UInt8 { (0x61...0x7A).contains(byte) ? byte - 32 : byte }

    /// RFC 5229 §3: identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_").
    static func isIdentifier(_ name: some StringProtocol) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, SieveLexer.isIdentifierStart(first) else { return false }
        return bytes.allSatisfy(SieveLexer.isIdentifierByte)
    }

    /// RFC 5322 §3.6.8: field-name = 1*ftext (printable ASCII except ":").
    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ":") }
    }
}
