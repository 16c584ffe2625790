/// One header field of a message as it was received: its octets from the name to the CRLF
/// that ends it, folding included (RFC 5322 §2.2).
public struct DKIMHeaderField: Sendable, Hashable {
    /// The field's octets, ending with its CRLF (absent only for a last field that has none).
    public let raw: [UInt8]
    /// The name, lower-cased, without white space before the colon; empty when the line has
    /// no colon (such a line is kept, so that simple canonicalization sees it, but no `h=` name
    /// selects it).
    public let name: String
    /// The index of the colon in `raw`.
    let colon: Int?

    public init(raw: [UInt8]) {
        self.raw = raw
        if let colon = raw.firstIndex(of: UInt8(ascii: ":")) {
            var end = colon
            while end > 0, raw[end - 1] == 0x20 || raw[end - 1] == 0x09 { end -= 1 }
            self.name = String(decoding: raw[..<end], as: UTF8.self).lowercased()
            self.colon = colon
        } else {
            self.name = ""
            self.colon = nil
        }
    }

    /// The value: the octets after the colon, without the final CRLF.
    public var value: ArraySlice<UInt8> {
        guard let colon else { return [] }
        var end = raw.endIndex
        if end - colon >= 3, raw[end - 2] == 0x0D, raw[end - 1] == 0x0A { end -= 2 }
        return raw[(colon + 1)..<end]
    }

    /// The field as `canonicalization` presents it to the hash (RFC 6376 §3.4.1, §3.4.2).
    func canonical(_ canonicalization: DKIMCanonicalization) -> [UInt8] {
        switch canonicalization {
        case .simple: return raw
        case .relaxed: return Self.relaxed(name: name, value: value)
        }
    }

    /// The field as a signature over itself hashes it (RFC 6376 §3.7, RFC 8617 §5.1.1): the
    /// octets in `range` (the `b=` value) removed, canonicalized, without the final CRLF.
    func canonicalWithoutValue(_ range: Range<Int>, _ canonicalization: DKIMCanonicalization) -> [UInt8] {
        var stripped = Array(raw[..<range.lowerBound])
        stripped += raw[range.upperBound...]
        var canonical = DKIMHeaderField(raw: stripped).canonical(canonicalization)
        if canonical.count >= 2, canonical[canonical.count - 2] == 0x0D, canonical.last == 0x0A {
            canonical.removeLast(2)
        }
        return canonical
    }

    /// §3.4.2: the name in lower case, the value unfolded with each run of WSP turned into one
    /// SP, no WSP at its ends nor around the colon, then CRLF.
    static func relaxed(name: String, value: some Collection<UInt8>) -> [UInt8] {
        var out = Array(name.utf8)
        out.reserveCapacity(out.count + value.count + 3)
        out.append(UInt8(ascii: ":"))
        var pendingSpace = false
        var wroteValue = false
        var iterator = value.makeIterator()
        var lookahead = iterator.next()
        while let octet = lookahead {
            lookahead = iterator.next()
            switch octet {
            case 0x20, 0x09:
                pendingSpace = true
            case 0x0D where lookahead == 0x0A:
                // Unfolding: a CRLF inside a value is followed by WSP, which stays (RFC 5322 §2.2.3).
                lookahead = iterator.next()
            default:
                if pendingSpace && wroteValue { out.append(0x20) }
                pendingSpace = false
                out.append(octet)
                wroteValue = true
            }
        }
        out.append(0x0D)
        out.append(0x0A)
        return out
    }
}
