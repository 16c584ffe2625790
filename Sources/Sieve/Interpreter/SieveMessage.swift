import MIME

/// The message under test, parsed once from its bytes: header fields in order with raw and decoded
/// (RFC 2047) values, and the MIME structure for the body test (RFC 5173). Only the first
/// `SieveLimits.maxHeaderBytes` of header fields are examined.
public struct SieveMessage: Sendable {
    /// One header field as tests see it.
    struct Field: Sendable, Hashable {
        var name: String
        /// The unfolded value, encoded words kept.
        var raw: String
        /// The unfolded value with encoded words decoded (RFC 5228 §5.7: header tests compare decoded text).
        var decoded: String

        func hasName(_ other: String) -> Bool { name.caseInsensitiveEquals(other) }
    }

    let mime: MIMEMessage
    let fields: [Field]
    let limits: SieveLimits

    /// The message size in bytes (RFC 5228 §5.9): the bytes given, unless the caller gave only the
    /// start of a larger message and says how large it is.
    public var size: Int

    /// Parses a message; never fails (garbage is a message with whatever header it has).
    public init(bytes: [UInt8], limits: SieveLimits = .init()) {
        mime = MIMEMessage(bytes, limits: MIMEParseLimits(maxHeaderBytes: limits.maxHeaderBytes))
        size = bytes.count
        self.limits = limits
        var fields: [Field] = []
        var examined = 0
        for field in mime.header.fields {
            examined += field.range.count
            guard examined <= limits.maxHeaderBytes else { break }
            fields.append(Field(name: field.name, raw: field.value, decoded: field.decodedValue))
        }
        self.fields = fields
    }
}

extension String {
    /// ASCII case-insensitive equality (header field names, RFC 5322 §1.2.2).
    func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { SieveASCII.lower($0) == SieveASCII.lower($1) }
    }
}
