/// One value of a server response as the IMAP grammar spells it (RFC 9051 §4): an atom (numbers, flags and
/// item names such as `BODY[]` included), a string (quoted or literal, as bytes), NIL, or a parenthesized list.
public indirect enum IMAPPullValue: Sendable, Hashable {
    case atom(String)
    case string([UInt8])
    case nilValue
    case list([IMAPPullValue])

    /// The atom's number, when it is one (`number` / `nz-number`, RFC 9051 §9).
    public var number: UInt64? {
        guard case .atom(let text) = self, !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return UInt64(text)
    }

    /// An atom or a string as text (astring, RFC 9051 §9).
    public var text: String? {
        switch self {
        case .atom(let text): text
        case .string(let bytes): String(decoding: bytes, as: UTF8.self)
        default: nil
        }
    }
}

/// Why a server's bytes were refused: each is a bound the reader keeps, or a grammar error.
public struct IMAPPullError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
