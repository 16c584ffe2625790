/// Syntax checks for the host names and IP addresses the configuration file contains.
package enum HostSyntax {
    /// Letters, digits, hyphens and dots; labels 1...63 octets not starting or ending with a
    /// hyphen; at most 253 octets in all; no trailing dot.
    package static func isValidDNSName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        for label in name.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.count <= 63,
                label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { return false }
            for byte in label {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    continue
                default:
                    return false
                }
            }
        }
        return true
    }

    /// A DNS name usable as a host to connect to or bind: also, its last label is not all
    /// digits, so that a mistyped IPv4 address such as `256.1.1.1` is not taken for a name.
    static func isValidHostName(_ name: String) -> Bool {
        guard isValidDNSName(name), let last = name.split(separator: ".").last else { return false }
        return !last.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Dotted-quad IPv4 (`192.0.2.1`), no leading zeros; the four octets when valid.
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || part.first != "0", let value = UInt8(part)
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    static func isIPv4(_ text: String) -> Bool { parseIPv4(text[...]) != nil }

    /// RFC 4291 §2.2 text forms, including `::` compression and a trailing IPv4 part;
    /// the eight 16-bit groups when valid. Zone identifiers (`%eth0`) are not accepted.
    static func parseIPv6(_ text: String) -> [UInt16]? {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        guard let range = text.range(of: "::") else {
            guard let all = groups(text[...], allowIPv4Tail: true), all.count == 8 else { return nil }
            return all
        }
        let after = text[range.upperBound...]
        guard !after.contains("::"),
            let head = groups(text[..<range.lowerBound], allowIPv4Tail: false),
            let tail = groups(after, allowIPv4Tail: true),
            head.count + tail.count <= 7
        else { return nil }
        return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }

    private static func groups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (position, part) in parts.enumerated() {
            if allowIPv4Tail, position == parts.count - 1, part.contains(".") {
                guard let v4 = parseIPv4(part) else { return nil }
                result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                continue
            }
            guard (1...4).contains(part.count), let value = UInt16(part, radix: 16),
                part.allSatisfy({ $0.isHexDigit })
            else { return nil }
            result.append(value)
        }
        return result
    }

    static func isIPv6(_ text: String) -> Bool { parseIPv6(text) != nil }
}
