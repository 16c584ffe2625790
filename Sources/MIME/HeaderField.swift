/// One header field (RFC 5322 §2.2) as it appears in the message.
public struct HeaderField: Sendable, Hashable {
    /// The field name as written (compare case-insensitively, or use `lowercasedName`).
    public let name: String
    /// The field name in ASCII lowercase.
    public let lowercasedName: String
    /// The raw bytes of the whole field, folding and line ending included (what DKIM and
    /// `BODY[HEADER.FIELDS]` need), as a range into the message bytes.
    public let range: Range<Int>
    /// The unfolded value (RFC 5322 §2.2.3): line endings inside the field removed, leading and trailing
    /// whitespace trimmed, not decoded.
    public let valueBytes: [UInt8]

    /// `valueBytes` as a string (UTF-8 when valid, RFC 6532; ISO-8859-1 otherwise). Encoded words are kept.
    public var value: String { String(utf8OrLatin1: valueBytes) }

    /// The value with RFC 2047 encoded words decoded and charsets converted.
    public var decodedValue: String { EncodedWord.decode(valueBytes) }

    /// Whether this field has the given name (case-insensitive).
    public func hasName(_ other: some StringProtocol) -> Bool {
        ASCII.equalsIgnoringCase(lowercasedName, other)
    }
}
