/// A cursor over one command frame, reading the basic data formats (RFC 9051 §4, §9).
struct IMAPByteReader {
    let bytes: [UInt8]
    var index: Int
    /// 8-bit octets allowed in quoted strings (RFC 6855 §3 UTF8=ACCEPT).
    let utf8: Bool
    /// Remaining nesting allowance for parenthesised lists and search keys.
    var depth: Int

    init(_ bytes: [UInt8], utf8: Bool, maxDepth: Int) {
        self.bytes = bytes
        self.index = 0
        self.utf8 = utf8
        self.depth = maxDepth
    }

    var atEnd: Bool { index >= bytes.count }

    @inline(__always) func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Consumes `byte` if it is next.
    @inline(__always) mutating func skip(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(IMAPParseError) {
        guard skip(byte) else { throw IMAPParseError("expected \(what)") }
    }

    mutating func space() throws(IMAPParseError) { try expect(UInt8(ascii: " "), "a space") }

    mutating func end() throws(IMAPParseError) {
        guard atEnd else { throw IMAPParseError("unexpected characters at end of command") }
    }

    /// Runs `body` one nesting level deeper, failing beyond the limit.
    mutating func nested<T>(_ body: (inout IMAPByteReader) throws(IMAPParseError) -> T) throws(IMAPParseError) -> T {
        guard depth > 0 else { throw IMAPParseError("too deeply nested") }
        depth -= 1
        defer { depth += 1 }
        return try body(&self)
    }

    /// Reads `1*char` where `accept(char)` holds.
    mutating func take(while accept: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while index < bytes.count && accept(bytes[index]) { index += 1 }
        return bytes[start..<index]
    }

    /// `atom` (RFC 9051 §9).
    mutating func atom(_ what: StaticString = "an atom") throws(IMAPParseError) -> ArraySlice<UInt8> {
        let slice = take(while: IMAPCharacter.isAtomChar)
        guard !slice.isEmpty else { throw IMAPParseError("expected \(what)") }
        return slice
    }

    /// An atom, upper-cased (keywords and names compare case-insensitively).
    mutating func keyword(_ what: StaticString = "a keyword") throws(IMAPParseError) -> String {
        Self.upper(try atom(what))
    }

    static func upper(_ slice: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: slice.count) { buffer in
            var i = 0
            for byte in slice {
                buffer[i] = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
                i += 1
            }
            return i
        }
    }

    /// Whether the next characters are `word` (ASCII, case-insensitive) followed by a non-atom character.
    func isKeyword(_ word: StaticString) -> Bool {
        let length = word.utf8CodeUnitCount
        guard bytes.count - index >= length else { return false }
        let matches = word.withUTF8Buffer { buffer in
            for i in 0..<length
            where (bytes[index + i] & 0xDF) != (buffer[i] & 0xDF) || !IMAPCharacter.isAtomChar(bytes[index + i]) {
                return false
            }
            return true
        }
        guard matches else { return false }
        let after = index + length
        return after == bytes.count || !IMAPCharacter.isAtomChar(bytes[after])
    }

    /// Consumes `word` if it comes next as a whole keyword.
    mutating func skipKeyword(_ word: StaticString) -> Bool {
        guard isKeyword(word) else { return false }
        index += word.utf8CodeUnitCount
        return true
    }

    /// `number` (32-bit), `number64` with `max`, `nz-number` with `nonZero`.
    mutating func number(max: UInt64 = UInt64(UInt32.max), nonZero: Bool = false) throws(IMAPParseError) -> UInt64 {
        let start = index
        var value: UInt64 = 0
        while index < bytes.count, IMAPCharacter.isDigit(bytes[index]) {
            let digit = UInt64(bytes[index] - 0x30)
            guard value <= (max - digit) / 10 else { throw IMAPParseError("number too large") }
            value = value * 10 + digit
            index += 1
        }
        guard index > start else { throw IMAPParseError("expected a number") }
        guard !nonZero || value > 0 else { throw IMAPParseError("expected a non-zero number") }
        return value
    }

    mutating func number32(nonZero: Bool = false) throws(IMAPParseError) -> UInt32 {
        UInt32(try number(nonZero: nonZero))
    }

    /// `number64` (RFC 9051 §9: up to 2^63 - 1).
    mutating func number64(nonZero: Bool = false) throws(IMAPParseError) -> UInt64 {
        try number(max: UInt64(Int64.max), nonZero: nonZero)
    }

    /// `quoted` with `\"` and `\\` escapes; 8-bit only under UTF8=ACCEPT.
    mutating func quoted() throws(IMAPParseError) -> [UInt8] {
        try expect(UInt8(ascii: "\""), "a quoted string")
        var result: [UInt8] = []
        var chunkStart = index
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                result.append(contentsOf: bytes[chunkStart..<index])
                index += 1
                return result
            case UInt8(ascii: "\\"):
                result.append(contentsOf: bytes[chunkStart..<index])
                index += 1
                guard let escaped = peek(), escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                    throw IMAPParseError("invalid escape in quoted string")
                }
                index += 1
                chunkStart = index
                result.append(escaped)
            case 0, 10, 13:
                throw IMAPParseError("invalid character in quoted string")
            default:
                if byte >= 0x80 && !utf8 { throw IMAPParseError("8-bit character in quoted string") }
                index += 1
            }
        }
        throw IMAPParseError("unterminated quoted string")
    }

    /// `literal` (`{n}` or `{n+}`), or with `binary` also `literal8` (`~{n}`, RFC 3516 §4.1).
    /// Returns the bytes and whether it was a literal8.
    mutating func literal(binary: Bool) throws(IMAPParseError) -> (bytes: [UInt8], isBinary: Bool) {
        let isBinary = skip(UInt8(ascii: "~"))
        if isBinary && !binary { throw IMAPParseError("literal8 not allowed here") }
        try expect(UInt8(ascii: "{"), "a literal")
        let count = try number(max: UInt64(Int64.max))
        _ = skip(UInt8(ascii: "+"))
        try expect(UInt8(ascii: "}"), "}")
        try expect(13, "CRLF after literal size")
        try expect(10, "CRLF after literal size")
        guard UInt64(bytes.count - index) >= count else { throw IMAPParseError("literal shorter than announced") }
        let data = Array(bytes[index..<index + Int(count)])
        index += Int(count)
        if !isBinary && data.contains(0) { throw IMAPParseError("NUL in literal") }
        return (data, isBinary)
    }

    /// `string`: quoted or literal.
    mutating func string() throws(IMAPParseError) -> [UInt8] {
        switch peek() {
        case UInt8(ascii: "\""): return try quoted()
        case UInt8(ascii: "{"): return try literal(binary: false).bytes
        default: throw IMAPParseError("expected a string")
        }
    }

    /// `astring`: 1*ASTRING-CHAR or string.
    mutating func astring() throws(IMAPParseError) -> [UInt8] {
        switch peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "{"): return try string()
        default:
            let slice = take(while: IMAPCharacter.isAStringChar)
            guard !slice.isEmpty else { throw IMAPParseError("expected a string") }
            return Array(slice)
        }
    }

    /// `nstring`: NIL or string.
    mutating func nstring() throws(IMAPParseError) -> [UInt8]? {
        if skipKeyword("NIL") { return nil }
        return try string()
    }

    /// A space-separated list in parentheses; `allowEmpty` for `()`.
    mutating func parenthesized<T>(
        allowEmpty: Bool = false, _ element: (inout IMAPByteReader) throws(IMAPParseError) -> T
    ) throws(IMAPParseError) -> [T] {
        try expect(UInt8(ascii: "("), "(")
        return try nested { reader throws(IMAPParseError) in
            var items: [T] = []
            if reader.skip(UInt8(ascii: ")")) {
                guard allowEmpty else { throw IMAPParseError("empty list") }
                return items
            }
            repeat {
                items.append(try element(&reader))
            } while reader.skip(UInt8(ascii: " "))
            try reader.expect(UInt8(ascii: ")"), ")")
            return items
        }
    }
}
