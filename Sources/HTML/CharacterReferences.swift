/// Character references (WHATWG HTML §13.2.5.72–§13.2.5.80): `&name;`, `&#123;`, `&#x7B;`.
enum CharacterReferences {
    /// The named references, parsed once from `HTMLEntities.packed` (2,231 names; the longest is 32 bytes).
    static let table: [String: String] = {
        var table: [String: String] = [:]
        for entry in HTMLEntities.packed.split(separator: " ") {
            guard let colon = entry.firstIndex(of: ":") else { continue }
            var value = ""
            for hex in entry[entry.index(after: colon)...].split(separator: "+") {
                if let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                    value.unicodeScalars.append(scalar)
                }
            }
            table[String(entry[..<colon])] = value
        }
        return table
    }()
    static let longestName = 32

    /// §13.2.5.80: numeric references to C1 controls mean what Windows-1252 puts there.
    static let c1Replacements: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]

    /// Decodes the reference whose `&` is at `start`, appending what it stands for to `output`, and returns
    /// where reading goes on. A `&` that starts no reference is appended as itself.
    static func consume(_ input: [UInt8], at start: Int, inAttribute: Bool, into output: inout [UInt8]) -> Int {
        let next = start + 1
        guard next < input.count else {
            output.append(0x26)
            return next
        }
        if input[next] == 0x23 { return consumeNumeric(input, at: start, into: &output) }
        guard input[next].isASCIIAlphanumeric else {
            output.append(0x26)
            return next
        }
        // §13.2.5.73: the longest name in the table that the input starts with.
        var end = next
        while end < input.count, end - next < longestName, input[end].isASCIIAlphanumeric { end += 1 }
        if end < input.count, input[end] == 0x3B { end += 1 }
        var length = end - next
        while length > 0 {
            let name = String(decoding: input[next..<(next + length)], as: UTF8.self)
            if let value = table[name] {
                let after = next + length
                // Legacy names without ";" are not expanded in attributes before "=" or an alphanumeric
                // (so `href="?a=1&not=2"` keeps its `&not`).
                if inAttribute, input[after - 1] != 0x3B, after < input.count,
                    input[after] == 0x3D || input[after].isASCIIAlphanumeric
                {
                    break
                }
                output.append(contentsOf: value.utf8)
                return after
            }
            length -= 1
        }
        output.append(0x26)
        return next
    }

    /// §13.2.5.75–§13.2.5.80: `&#` digits or `&#x` hex digits, `;` optional.
    private static func consumeNumeric(_ input: [UInt8], at start: Int, into output: inout [UInt8]) -> Int {
        var position = start + 2
        var hex = false
        if position < input.count, input[position] | 0x20 == 0x78 {
            hex = true
            position += 1
        }
        let digitsStart = position
        var code: UInt32 = 0
        while position < input.count, hex ? input[position].isASCIIHexDigit : input[position].isASCIIDigit {
            let byte = input[position]
            let digit = byte.isASCIIDigit ? UInt32(byte - 0x30) : UInt32((byte | 0x20) - 0x61 + 10)
            // Saturate: anything over U+10FFFF is replaced anyway.
            code = min(code * (hex ? 16 : 10) + digit, 0x11_0000)
            position += 1
        }
        guard position > digitsStart else {
            // §13.2.5.76: no digits, so no reference: "&#" (and "x") stay text.
            output.append(0x26)
            return start + 1
        }
        if position < input.count, input[position] == 0x3B { position += 1 }
        // §13.2.5.80: NUL, beyond Unicode and surrogates become U+FFFD; C1 controls per Windows-1252.
        if code == 0 || code > 0x10_FFFF || (0xD800...0xDFFF).contains(code) {
            output.append(contentsOf: replacementCharacterUTF8)
        } else {
            let mapped = c1Replacements[code] ?? code
            appendUTF8(Unicode.Scalar(mapped)!, to: &output)
        }
        return position
    }
}
