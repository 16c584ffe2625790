/// Byte-level helpers shared by the parsers. Everything works on `[UInt8]` and index ranges.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let hyphen: UInt8 = 0x2D

    /// RFC 5322 §2.2.2 WSP.
    @inline(__always) static func isWSP(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// WSP or a line-ending byte.
    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab || byte == cr || byte == lf
    }

    @inline(__always) static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// The value of a hexadecimal digit (either case), or nil.
    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// Case-insensitive comparison of ASCII strings.
    static func equalsIgnoringCase(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        let a = a.utf8
        let b = b.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// ASCII-only lowercasing (header names, MIME tokens), leaving other bytes alone.
    static func lowercasedString(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map(lowercased), as: UTF8.self)
    }
}

extension String {
    /// Decodes bytes as UTF-8 when they are valid UTF-8 (RFC 6532), otherwise as ISO-8859-1, so that raw
    /// 8-bit header bytes are never lost to replacement characters.
    init(utf8OrLatin1 bytes: some Collection<UInt8>) {
        if let string = String(validating: bytes, as: UTF8.self) {
            self = string
        } else {
            self = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        }
    }
}

/// Lines of a byte range, each with its content (without the line ending) and where the next line starts.
/// Lines end at LF; a CR directly before the LF belongs to the line ending (bare LF is tolerated).
struct LineScanner {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// The next line: `start` of the line, `contentEnd` (before CR LF / LF), `next` (after the line ending).
    mutating func next() -> (start: Int, contentEnd: Int, next: Int)? {
        guard position < end else { return nil }
        let start = position
        var index = start
        while index < end && bytes[index] != ASCII.lf { index += 1 }
        if index == end {
            position = end
            return (start, end, end)
        }
        let contentEnd = index > start && bytes[index - 1] == ASCII.cr ? index - 1 : index
        position = index + 1
        return (start, contentEnd, index + 1)
    }
}
