/// The comparators' operations (RFC 4790 §9; RFC 5228 §2.7.3): equality, substring, ordering, and
/// the character equality `:matches` uses.
extension SieveComparator {
    /// Whether two characters are equal under the comparator (ASCII case folded by i;ascii-casemap).
    func equal(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
        switch self {
        case .asciiCasemap: Self.fold(a) == Self.fold(b)
        default: a == b
        }
    }

    private static func fold(_ scalar: Unicode.Scalar) -> UInt32 {
        (0x41...0x5A).contains(scalar.value) ? scalar.value + 32 : scalar.value
    }

    private func key(_ string: String) -> [UInt8] {
        self == .asciiCasemap ? string.utf8.map(SieveASCII.lower) : Array(string.utf8)
    }

    /// RFC 4790 §4.2 equality.
    func isEqual(_ value: String, _ key: String) -> Bool {
        if self == .asciiNumeric { return order(value, key) == .equal }
        return self.key(value) == self.key(key)
    }

    /// RFC 4790 §4.2 substring (not offered by i;ascii-numeric, refused at compile time).
    func contains(_ value: String, _ key: String) -> Bool {
        let haystack = self.key(value)
        let needle = self.key(key)
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        // Byte search: keys are short; the value is bounded by the message limits.
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    /// RFC 4790 §4.2 ordering; i;ascii-numeric per §9.1: the leading digits as an unbounded number, strings
    /// without one are positive infinity (and equal to each other).
    func order(_ a: String, _ b: String) -> SieveOrder {
        switch self {
        case .asciiNumeric:
            switch (Self.numericValue(a), Self.numericValue(b)) {
            case (nil, nil): return .equal
            case (nil, _): return .greater
            case (_, nil): return .less
            case (let x?, let y?):
                if x.count != y.count { return x.count < y.count ? .less : .greater }
                return x == y ? .equal : (x.lexicographicallyPrecedes(y) ? .less : .greater)
            }
        default:
            let x = key(a)
            let y = key(b)
            return x == y ? .equal : (x.lexicographicallyPrecedes(y) ? .less : .greater)
        }
    }

    /// The leading digits without leading zeros ("0" for zero); nil when the string starts with no digit.
    private static func numericValue(_ string: String) -> ArraySlice<UInt8>? {
        let digits = string.utf8.prefix(while: { (0x30...0x39).contains($0) })
        guard !digits.isEmpty else { return nil }
        let significant = Array(digits.drop(while: { $0 == 0x30 }))
        return significant.isEmpty ? [0x30] : ArraySlice(significant)
    }
}
