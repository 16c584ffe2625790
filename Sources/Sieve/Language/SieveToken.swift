/// A lexical token of RFC 5228 §8.1.
enum SieveToken: Sendable, Hashable {
    /// `identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_")`.
    case identifier(String)
    /// `tag = ":" identifier` (the name without the colon).
    case tag(String)
    /// `number = 1*DIGIT [ QUANTIFIER ]`, the quantifier applied.
    case number(Int)
    /// A quoted or multi-line string, escapes and dot-stuffing undone.
    case string(String)
    /// One of `[ ] ( ) { } , ;`.
    case punctuation(UInt8)
    case end

    var display: String {
        switch self {
        case .identifier(let name): "identifier '\(name)'"
        case .tag(let name): "tag ':\(name)'"
        case .number(let value): "number \(value)"
        case .string: "string"
        case .punctuation(let byte): "'\(Character(Unicode.Scalar(byte)))'"
        case .end: "end of script"
        }
    }
}

/// A token and where it starts.
struct SieveLexeme: Sendable, Hashable {
    var token: SieveToken
    var position: SievePosition
}
