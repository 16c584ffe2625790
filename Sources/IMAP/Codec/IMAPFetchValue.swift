/// One item of a FETCH reply (RFC 9051 §7.5.2, RFC 3516 §4.2, RFC 7162 §3.1.4).
public enum IMAPFetchValue: Sendable, Hashable {
    case uid(UInt32)
    case flags([IMAPFlag])
    /// Written as `"dd-Mon-yyyy hh:mm:ss +zzzz"`.
    case internalDate(IMAPDateTime)
    case rfc822Size(UInt64)
    /// `MODSEQ (n)`.
    case modSeq(UInt64)
    case envelope(IMAPValue)
    case bodyStructure(IMAPValue)
    /// `BODY` (the non-extensible structure).
    case body(IMAPValue)
    /// `BODY[section]<origin> literal`; nil data is NIL.
    case bodySection(IMAPSection, origin: UInt64? = nil, [UInt8]?)
    /// `BINARY[part]<origin>`: a literal, literal8 (`~{n}`) when the data holds NUL (RFC 3516 §4.2).
    case binary(part: [UInt32], origin: UInt64? = nil, [UInt8]?)
    case binarySize(part: [UInt32], UInt64)
    case rfc822([UInt8]?)
    case rfc822Header([UInt8]?)
    case rfc822Text([UInt8]?)
}

/// A generic nested value for ENVELOPE and BODYSTRUCTURE, built by the session (RFC 9051 §7.5.2).
/// Strings are written quoted or as literals as their content requires.
public indirect enum IMAPValue: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case `nil`
    case number(UInt64)
    case string([UInt8])
    case list([IMAPValue])

    public init(stringLiteral value: String) { self = .string(Array(value.utf8)) }
    public init(integerLiteral value: UInt64) { self = .number(value) }

    /// A string, or NIL for nil.
    public static func nstring(_ text: String?) -> IMAPValue { text.map { .string(Array($0.utf8)) } ?? .nil }

    func write(utf8: Bool, into out: inout [UInt8]) {
        switch self {
        case .nil: IMAPWriter.write("NIL", into: &out)
        case .number(let value): IMAPWriter.writeNumber(value, into: &out)
        case .string(let bytes): IMAPWriter.writeString(bytes, utf8: utf8, into: &out)
        case .list(let items):
            out.append(UInt8(ascii: "("))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                item.write(utf8: utf8, into: &out)
            }
            out.append(UInt8(ascii: ")"))
        }
    }
}
