/// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3, kept by RFC 9051 §5.1 for IMAP4rev1 clients).
///
/// Printable US-ASCII except `&` stands for itself; `&` is written `&-`; any other run of characters
/// is UTF-16BE in modified BASE64 (`,` for `/`, no padding) between `&` and `-`.
public enum ModifiedUTF7 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    @inline(__always) private static func isDirect(_ value: UInt32) -> Bool { value >= 0x20 && value <= 0x7E }

    /// Encodes a mailbox name. Always succeeds.
    public static func encode(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        var pending: [UInt16] = []
        func flush() {
            guard !pending.isEmpty else { return }
            out.append(UInt8(ascii: "&"))
            var bits: UInt32 = 0
            var count = 0
            for unit in pending {
                bits = (bits << 16) | UInt32(unit)
                count += 16
                while count >= 6 {
                    count -= 6
                    out.append(alphabet[Int((bits >> UInt32(count)) & 0x3F)])
                }
                bits &= (1 << UInt32(count)) - 1
            }
            if count > 0 { out.append(alphabet[Int((bits << UInt32(6 - count)) & 0x3F)]) }
            out.append(UInt8(ascii: "-"))
            pending.removeAll(keepingCapacity: true)
        }
        for scalar in name.unicodeScalars {
            if isDirect(scalar.value) {
                flush()
                out.append(UInt8(scalar.value))
                if scalar == "&" { out.append(UInt8(ascii: "-")) }
            } else {
                pending.append(contentsOf: UTF16.encode(scalar)!)
            }
        }
        flush()
        return out
    }

    /// Decodes a mailbox name; `nil` when the bytes are not valid, minimal modified UTF-7: 8-bit or
    /// control bytes, an unterminated or badly padded shift sequence, BASE64 for a character that
    /// stands for itself (`&AGE-`), two adjacent shift sequences, or broken UTF-16 surrogates.
    public static func decode(_ bytes: some Collection<UInt8>) -> String? {
        var result = String.UnicodeScalarView()
        var iterator = bytes.makeIterator()
        var previousWasShift = false
        while let byte = iterator.next() {
            guard isDirect(UInt32(byte)) else { return nil }
            guard byte == UInt8(ascii: "&") else {
                result.append(Unicode.Scalar(byte))
                previousWasShift = false
                continue
            }
            // A shift sequence: BASE64 up to "-".
            var units: [UInt16] = []
            var bits: UInt32 = 0
            var count = 0
            var terminated = false
            var length = 0
            while let next = iterator.next() {
                if next == UInt8(ascii: "-") {
                    terminated = true
                    break
                }
                let value = decodeTable[Int(next)]
                guard value >= 0 else { return nil }
                length += 1
                bits = (bits << 6) | UInt32(value)
                count += 6
                if count >= 16 {
                    count -= 16
                    units.append(UInt16((bits >> UInt32(count)) & 0xFFFF))
                    bits &= (1 << UInt32(count)) - 1
                }
            }
            guard terminated else { return nil }
            if length == 0 {
                result.append("&")
                previousWasShift = false
                continue
            }
            // Leftover bits must be padding: fewer than 6 and all zero; no adjacent shift sequences.
            guard !previousWasShift, count < 6, bits == 0, !units.isEmpty else { return nil }
            var decoder = UTF16()
            var unitIterator = units.makeIterator()
            decoding: while true {
                switch decoder.decode(&unitIterator) {
                case .scalarValue(let scalar):
                    guard !isDirect(scalar.value) else { return nil }
                    result.append(scalar)
                case .emptyInput: break decoding
                case .error: return nil
                }
            }
            previousWasShift = true
        }
        return String(result)
    }
}
