/// Quoted-printable decoding (RFC 2045 §6.7): `=XX` octets (either case), soft line breaks (`=` at the end
/// of a line, trailing whitespace allowed), trailing whitespace on lines removed (rule 3), a malformed `=`
/// kept literally. Line endings are kept as written.
enum QuotedPrintable {
    static func decode(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var index = input.startIndex
        let end = input.endIndex
        var trailingLiteralWSP = 0  // literal SP/HT at the end of `out`, removed before a line ending
        while index < end {
            let byte = input[index]
            if byte == ASCII.equals {
                if index + 2 < end, let high = ASCII.hexValue(input[index + 1]),
                    let low = ASCII.hexValue(input[index + 2])
                {
                    out.append(high << 4 | low)
                    trailingLiteralWSP = 0
                    index += 3
                    continue
                }
                if let next = softBreakEnd(input, after: index) {
                    index = next
                    continue
                }
            }
            if byte == ASCII.cr || byte == ASCII.lf {
                out.removeLast(trailingLiteralWSP)
            }
            trailingLiteralWSP = ASCII.isWSP(byte) ? trailingLiteralWSP + 1 : 0
            out.append(byte)
            index += 1
        }
        return out
    }

    /// If `=` at `index` is followed by optional whitespace and a line ending (or the end), where decoding
    /// continues.
    private static func softBreakEnd(_ input: ArraySlice<UInt8>, after index: Int) -> Int? {
        var next = index + 1
        while next < input.endIndex, ASCII.isWSP(input[next]) { next += 1 }
        if next == input.endIndex { return next }
        if input[next] == ASCII.lf { return next + 1 }
        if input[next] == ASCII.cr {
            return next + 1 < input.endIndex && input[next + 1] == ASCII.lf ? next + 2 : next + 1
        }
        return nil
    }
}
