/// Character classes of the formal syntax (RFC 9051 §9).
enum IMAPCharacter {
    private static let atomSpecialTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in 0..<0x20 { table[byte] = true }
        table[0x7F] = true
        for byte in 0x80..<0x100 { table[byte] = true }
        for char in "(){ %*\"\\]".utf8 { table[Int(char)] = true }
        return table
    }()

    /// ATOM-CHAR: any CHAR except atom-specials.
    @inline(__always) static func isAtomChar(_ byte: UInt8) -> Bool { !atomSpecialTable[Int(byte)] }

    /// ASTRING-CHAR: ATOM-CHAR or `]`.
    @inline(__always) static func isAStringChar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "]") || !atomSpecialTable[Int(byte)]
    }

    /// `list-char`: ATOM-CHAR, `%`, `*` or `]` (RFC 9051 §9).
    @inline(__always) static func isListChar(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "%") || byte == UInt8(ascii: "*") || isAStringChar(byte)
    }

    /// Tag characters: ASTRING-CHAR except `+`.
    @inline(__always) static func isTagChar(_ byte: UInt8) -> Bool {
        byte != UInt8(ascii: "+") && isAStringChar(byte)
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
}

extension IMAPCharacter {
    /// BASE64 alphabet characters, without padding (RFC 9051 §9 `base64-char`).
    @inline(__always) static func isBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
            true
        default: false
        }
    }
}
