/// An IPv4 or IPv6 address: 4 or 16 octets in network order.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses dotted-quad IPv4 (no leading zeros) or an RFC 4291 §2.2 IPv6 text form
    /// (with `::` and a trailing dotted-quad). No zone index, no brackets.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        if let v4 = Self.parseIPv4(utf8[...]) {
            bytes = v4
        } else if let v6 = Self.parseIPv6(utf8) {
            bytes = v6
        } else {
            return nil
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }
    public var isIPv6: Bool { bytes.count == 16 }

    /// 127.0.0.0/8 (RFC 1122 §3.2.1.3) or ::1 (RFC 4291 §2.5.3): traffic that never leaves the host.
    public var isLoopback: Bool {
        isIPv4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    /// IPv4 dotted-quad; IPv6 in the RFC 5952 §4 canonical form (lower case, longest run of
    /// two or more zero groups shortened to `::`, first run on a tie; §5 `::ffff:a.b.c.d` for mapped).
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "::ffff:" + bytes[12...].map(String.init).joined(separator: ".")
        }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8 && groups[index] == 0 { index += 1 }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        return hex[..<bestStart].joined(separator: ":") + "::" + hex[(bestStart + bestLength)...].joined(separator: ":")
    }

    static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        let parts = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            guard part.count == 1 || part.first != UInt8(ascii: "0") else { return nil }
            let value = part.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard value <= 255 else { return nil }
            result.append(UInt8(value))
        }
        return result
    }

    /// RFC 4291 §2.2: eight 16-bit hex groups, one `::` for a run of zero groups, and optionally
    /// the last 32 bits as a dotted quad.
    static func parseIPv6(_ text: [UInt8]) -> [UInt8]? {
        let colon = UInt8(ascii: ":")
        var groups: [UInt16] = []
        var gap: Int? = nil
        var index = 0
        if text.first == colon {
            guard text.count >= 2, text[1] == colon else { return nil }
            gap = 0
            index = 2
        }
        while index < text.count {
            let start = index
            while index < text.count && text[index] != colon { index += 1 }
            let piece = text[start..<index]
            if piece.contains(UInt8(ascii: ".")) {
                guard index == text.count, let v4 = parseIPv4(piece) else { return nil }
                groups.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                groups.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                break
            }
            guard (1...4).contains(piece.count) else { return nil }
            var value: UInt16 = 0
            for char in piece {
                guard let digit = hexValue(char) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            groups.append(value)
            guard groups.count <= 8 else { return nil }
            if index == text.count { break }
            index += 1  // the ':'
            if index < text.count && text[index] == colon {
                guard gap == nil else { return nil }
                gap = groups.count
                index += 1
            } else if index == text.count {
                return nil  // a single trailing ':'
            }
        }
        if let gap {
            guard groups.count <= 7 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    private static func hexValue(_ char: UInt8) -> UInt8? {
        switch char {
        case 0x30...0x39: char - 0x30
        case 0x41...0x46: char - 0x41 + 10
        case 0x61...0x66: char - 0x61 + 10
        default: nil
        }
    }
}
