/// Reads the values of one framed command (RFC 5804 §4): atoms, strings (quoted or literal) and
/// numbers, separated by spaces. Works on the bytes `ManageSieveFramer` delivers, literals inline.
struct ManageSieveReader {
    private let bytes: [UInt8]
    private var index = 0

    /// RFC 5804 §4: `quoted = DQUOTE *1024QUOTED-CHAR DQUOTE`.
    static let maxQuotedLength = 1024

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }

    /// Skips the spaces between arguments (one is the grammar; more are tolerated).
    mutating func skipSpaces() -> Bool {
        let before = index
        while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 }
        return index > before
    }

    /// The next argument: a separator, then a value. Nil at the end of the command.
    mutating func nextArgument() throws(ManageSieveSyntaxError) -> ManageSieveValue? {
        let spaced = skipSpaces()
        guard !atEnd else { return nil }
        guard spaced else { throw .init("expected a space between arguments") }
        return try value()
    }

    /// The command name: an atom at the start.
    mutating func atom() throws(ManageSieveSyntaxError) -> String {
        let begin = index
        while index < bytes.count, Self.isAtomChar(bytes[index]) { index += 1 }
        guard index > begin else { throw .init("expected a command name") }
        return String(decoding: bytes[begin..<index], as: UTF8.self)
    }

    /// A string, a number or an atom.
    mutating func value() throws(ManageSieveSyntaxError) -> ManageSieveValue {
        guard index < bytes.count else { throw .init("missing argument") }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try quoted())
        case UInt8(ascii: "{"): return .string(try literal())
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let begin = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index == bytes.count || bytes[index] == UInt8(ascii: " ") else { throw .init("invalid number") }
            // RFC 5804 §4: number = 1*DIGIT, below 4294967296.
            let digits = bytes[begin..<index].drop { $0 == UInt8(ascii: "0") }
            guard digits.count <= 10, let value = UInt32(String(decoding: digits.isEmpty ? [48] : Array(digits), as: UTF8.self))
            else { throw .init("number out of range") }
            return .number(value)
        default:
            return .atom(try atom())
        }
    }

    /// RFC 5804 §4: `QUOTED-CHAR = SAFE-UTF8-CHAR / "\" QUOTED-SPECIALS`; no CR, LF or NUL.
    private mutating func quoted() throws(ManageSieveSyntaxError) -> [UInt8] {
        index += 1
        var out: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") else {
                    throw .init("invalid escape in quoted string")
                }
                out.append(bytes[index])
                index += 1
            case 0, 10, 13:
                throw .init("invalid character in quoted string")
            default:
                out.append(byte)
            }
            guard out.count <= Self.maxQuotedLength else { throw .init("quoted string too long; use a literal") }
        }
        throw .init("unterminated quoted string")
    }

    /// `{N+}` CRLF and N octets (or `{N}`, see `ManageSieveFramer`).
    private mutating func literal() throws(ManageSieveSyntaxError) -> [UInt8] {
        // The framer puts CRLF after every marker it accepted.
        guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "}")),
            let size = ManageSieveFramer.literalMarker(bytes[index...close]),
            close + 2 < bytes.count, bytes[close + 1] == 13, bytes[close + 2] == 10
        else { throw .init("invalid literal") }
        let begin = close + 3
        guard begin + size <= bytes.count else { throw .init("truncated literal") }
        index = begin + size
        return Array(bytes[begin..<begin + size])
    }

    /// RFC 5804 §4 (via RFC 3501 ATOM-CHAR): no controls, spaces, parentheses, braces, quotes, `%`, `*`, `\`.
    static func isAtomChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F...: false
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "\""), UInt8(ascii: "%"),
            UInt8(ascii: "*"), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            false
        default: true
        }
    }
}

/// One argument of a command.
public enum ManageSieveValue: Sendable, Hashable {
    case atom(String)
    /// A quoted string or a literal: raw octets (UTF-8 is checked where the command needs it).
    case string([UInt8])
    case number(UInt32)
}

/// Why a command could not be read; answered with `NO` (RFC 5804 has no `BAD`).
public struct ManageSieveSyntaxError: Error, Sendable, Hashable {
    public var message: String
    init(_ message: String) { self.message = message }
}
