/// EUC-JP, which Foundation on Linux cannot decode: converted byte-wise to Shift_JIS, which it can.
/// Both encode JIS X 0208 (and JIS X 0201 katakana); JIS X 0212 characters have no Shift_JIS form and
/// become U+FFFD.
enum EUCJP {
    static func decode(_ bytes: [UInt8]) -> String {
        var sjis: [UInt8] = []
        sjis.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x8E where index + 1 < bytes.count:  // SS2: half-width katakana
                sjis.append(bytes[index + 1])
                index += 2
            case 0x8F where index + 2 < bytes.count:  // SS3: JIS X 0212, no Shift_JIS equivalent
                sjis += [0x81, 0x48]  // "？"
                index += 3
            case 0xA1...0xFE where index + 1 < bytes.count && bytes[index + 1] >= 0xA1:
                let (high, low) = shiftJIS(row: byte & 0x7F, cell: bytes[index + 1] & 0x7F)
                sjis += [high, low]
                index += 2
            default:
                sjis.append(byte < 0x80 ? byte : 0x3F)
                index += 1
            }
        }
        return Charset.decode(sjis, charset: "shift_jis")
    }

    /// JIS X 0208 row/cell (0x21...0x7E each) to the Shift_JIS byte pair.
    private static func shiftJIS(row: UInt8, cell: UInt8) -> (UInt8, UInt8) {
        let high = (row + 1) / 2 + (row <= 0x5E ? 0x70 : 0xB0)
        let low: UInt8
        if row % 2 == 1 {
            low = cell + (cell >= 0x60 ? 0x20 : 0x1F)
        } else {
            low = cell + 0x7E
        }
        return (high, low)
    }
}
