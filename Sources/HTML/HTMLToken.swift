/// What `HTMLTokenizer` hands to the tree builder (WHATWG HTML §13.2.5: start and end tags, comments,
/// character runs, DOCTYPE; end of file is the end of the sequence).
enum HTMLToken: Equatable {
    case startTag(name: String, attributes: [HTMLAttribute], selfClosing: Bool)
    case endTag(name: String)
    /// A run of characters, UTF-8, character references already resolved.
    case text([UInt8])
    case comment(String)
    case doctype
}

/// ASCII classes the tokenizer asks about (WHATWG Infra §4.6).
extension UInt8 {
    /// Tab, LF, FF, space: HTML's "ASCII whitespace" minus CR, which preprocessing removed (§13.2.3.5).
    var isHTMLWhitespace: Bool { self == 0x09 || self == 0x0A || self == 0x0C || self == 0x20 }
    var isASCIIAlpha: Bool { (self | 0x20) >= 0x61 && (self | 0x20) <= 0x7A }
    var isASCIIDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isASCIIAlphanumeric: Bool { isASCIIAlpha || isASCIIDigit }
    var isASCIIHexDigit: Bool { isASCIIDigit || ((self | 0x20) >= 0x61 && (self | 0x20) <= 0x66) }
    var asciiLowercased: UInt8 { self >= 0x41 && self <= 0x5A ? self | 0x20 : self }
}

/// U+FFFD REPLACEMENT CHARACTER in UTF-8: what a NUL becomes in names, values and raw text.
let replacementCharacterUTF8: [UInt8] = [0xEF, 0xBF, 0xBD]

/// Appends the UTF-8 encoding of `scalar`.
func appendUTF8(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
    bytes.append(contentsOf: UTF8.encode(scalar)!)
}
