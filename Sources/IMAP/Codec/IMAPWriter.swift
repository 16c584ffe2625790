/// Low-level writers for the response grammar (RFC 9051 §4 data formats, §9 formal syntax).
enum IMAPWriter {
    @inline(__always) static func write(_ text: StaticString, into out: inout [UInt8]) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    @inline(__always) static func write(_ text: String, into out: inout [UInt8]) {
        out.append(contentsOf: text.utf8)
    }

    /// Decimal digits, written in place.
    static func writeNumber(_ value: UInt64, into out: inout [UInt8]) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    @inline(__always) static func writeNumber(_ value: some BinaryInteger, into out: inout [UInt8]) {
        writeNumber(UInt64(value), into: &out)
    }

    static func writeSequenceNumber(_ number: IMAPSequenceNumber, into out: inout [UInt8]) {
        switch number {
        case .number(let value): writeNumber(UInt64(value), into: &out)
        case .star: out.append(UInt8(ascii: "*"))
        }
    }

    /// `sequence-set` (RFC 9051 §9) or `$`.
    static func writeSequenceSet(_ set: IMAPSequenceSet, into out: inout [UInt8]) {
        switch set {
        case .lastResult:
            out.append(UInt8(ascii: "$"))
        case .ranges(let ranges):
            for (index, range) in ranges.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeSequenceNumber(range.first, into: &out)
                if range.first != range.last {
                    out.append(UInt8(ascii: ":"))
                    writeSequenceNumber(range.last, into: &out)
                }
            }
        }
    }

    /// How a string must be sent (RFC 9051 §4.3): quoted if every octet is allowed in `quoted`
    /// (TEXT-CHAR, and 8-bit UTF-8 only under UTF8=ACCEPT, RFC 6855 §3), otherwise as a literal.
    static func canQuote(_ bytes: some Collection<UInt8>, utf8: Bool) -> Bool {
        for byte in bytes {
            if byte == 0 || byte == 10 || byte == 13 { return false }
            if byte >= 0x80 && !utf8 { return false }
        }
        if utf8 && bytes.contains(where: { $0 >= 0x80 }) {
            return String(validating: Array(bytes), as: UTF8.self) != nil
        }
        return true
    }

    /// `string`: quoted when possible, else a literal (`~{n}` literal8 when it holds NUL and `binary`).
    static func writeString(_ bytes: some Collection<UInt8>, utf8: Bool, binary: Bool = false, into out: inout [UInt8]) {
        if bytes.count <= 1024 && canQuote(bytes, utf8: utf8) {
            writeQuoted(bytes, into: &out)
        } else {
            writeLiteral(bytes, binary: binary, into: &out)
        }
    }

    static func writeQuoted(_ bytes: some Collection<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `{n}CRLF` + bytes, or `~{n}CRLF` + bytes when `binary` and the bytes hold NUL (RFC 3516 §4.3).
    static func writeLiteral(_ bytes: some Collection<UInt8>, binary: Bool, into out: inout [UInt8]) {
        if binary && bytes.contains(0) { out.append(UInt8(ascii: "~")) }
        out.append(UInt8(ascii: "{"))
        writeNumber(UInt64(bytes.count), into: &out)
        write("}\r\n", into: &out)
        out.append(contentsOf: bytes)
    }

    /// `nstring`: NIL or a string.
    static func writeNString(_ bytes: [UInt8]?, utf8: Bool, into out: inout [UInt8]) {
        if let bytes { writeString(bytes, utf8: utf8, into: &out) } else { write("NIL", into: &out) }
    }

    /// `astring`: an atom when every octet is ASTRING-CHAR (and not empty or `NIL`-like ambiguity), else a string.
    static func writeAString(_ bytes: some Collection<UInt8>, utf8: Bool, into out: inout [UInt8]) {
        if !bytes.isEmpty && bytes.allSatisfy(IMAPCharacter.isAStringChar) && !isNil(bytes) {
            out.append(contentsOf: bytes)
        } else {
            writeString(bytes, utf8: utf8, into: &out)
        }
    }

    private static func isNil(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.count == 3 && zip(bytes, "NIL".utf8).allSatisfy { ($0 & 0xDF) == $1 }
    }

    /// `mailbox`, always as a string (quoted unless it needs a literal): modified UTF-7 (RFC 3501 §5.1.3)
    /// unless UTF8=ACCEPT (RFC 6855 §3) is on.
    static func writeMailbox(_ name: String, utf8: Bool, into out: inout [UInt8]) {
        writeString(utf8 ? Array(name.utf8) : ModifiedUTF7.encode(name), utf8: utf8, into: &out)
    }

    /// `date-time` as `"dd-Mon-yyyy hh:mm:ss +zzzz"` with a space-padded day (RFC 9051 §9 `date-day-fixed`).
    static func writeDateTime(_ value: IMAPDateTime, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let day = value.date.day
        if day < 10 { out.append(UInt8(ascii: " ")) }
        writeNumber(UInt64(max(0, day)), into: &out)
        out.append(UInt8(ascii: "-"))
        write(IMAPDate.monthNames[(value.date.month - 1 + 12) % 12], into: &out)
        out.append(UInt8(ascii: "-"))
        writeDigits(value.date.year, width: 4, into: &out)
        out.append(UInt8(ascii: " "))
        writeDigits(value.hour, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        writeDigits(value.minute, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        writeDigits(value.second, width: 2, into: &out)
        out.append(UInt8(ascii: " "))
        out.append(UInt8(ascii: value.zoneMinutes < 0 ? "-" : "+"))
        let zone = abs(value.zoneMinutes)
        writeDigits(zone / 60 * 100 + zone % 60, width: 4, into: &out)
        out.append(UInt8(ascii: "\""))
    }

    static func writeDigits(_ value: Int, width: Int, into out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = max(0, value) % (divisor * 10)
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// `(flag flag ...)`.
    static func writeFlags(_ flags: [IMAPFlag], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "("))
        for (index, flag) in flags.enumerated() {
            if index > 0 { out.append(UInt8(ascii: " ")) }
            write(flag.rawValue, into: &out)
        }
        out.append(UInt8(ascii: ")"))
    }

    /// `(a b c)` of atoms.
    static func writeAtomList(_ atoms: [String], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "("))
        for (index, atom) in atoms.enumerated() {
            if index > 0 { out.append(UInt8(ascii: " ")) }
            write(atom, into: &out)
        }
        out.append(UInt8(ascii: ")"))
    }
}

extension IMAPWriter {
    /// `text` (RFC 9051 §9): CR, LF and NUL (and `stopAt`, e.g. `]` inside a code) become spaces.
    static func writeText(_ text: String, into out: inout [UInt8], stopAt: UInt8? = nil) {
        for byte in text.utf8 {
            out.append(byte == 10 || byte == 13 || byte == 0 || byte == stopAt ? UInt8(ascii: " ") : byte)
        }
    }
}
