/// The instance number of an ARC Set (RFC 8617 §4.2.1): the `i=` of its three header fields,
/// 1 for the first intermediary, at most 50.
enum ARCInstance {
    /// §4.2.1: "The maximum value of i= is 50."
    static let maximum = 50

    /// The `i=` value of an ARC-Seal or ARC-Message-Signature: a decimal number 1...50.
    static func parse(_ value: [UInt8]) throws(DKIMSyntaxError) -> Int {
        guard !value.isEmpty, value.count <= 3, value.allSatisfy(DKIMTagList.isDigit),
            let number = Int(String(decoding: value, as: UTF8.self)), (1...maximum).contains(number)
        else {
            throw DKIMSyntaxError("i=\(DKIMTagList.printable(value)) is not an instance number 1-\(maximum)")
        }
        return number
    }

    /// The instance of an ARC-Authentication-Results value (§4.1.1: `i=N;` then the
    /// Authentication-Results payload); white space is allowed around `i`, `=` and the number.
    static func ofResults(_ value: ArraySlice<UInt8>) throws(DKIMSyntaxError) -> Int {
        guard let semicolon = value.prefix(64).firstIndex(of: UInt8(ascii: ";")) else {
            throw DKIMSyntaxError("ARC-Authentication-Results does not start with i=N;")
        }
        let compact = value[..<semicolon].filter { !DKIMTagList.isWhitespace($0) }
        guard compact.count > 2, compact[0] == UInt8(ascii: "i"), compact[1] == UInt8(ascii: "=") else {
            throw DKIMSyntaxError("ARC-Authentication-Results does not start with i=N;")
        }
        return try parse(Array(compact.dropFirst(2)))
    }
}
