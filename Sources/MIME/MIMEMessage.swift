/// A whole message (RFC 5322) parsed into MIME entities. Keeps its bytes; every range indexes into them.
public struct MIMEMessage: Sendable {
    /// The message as given.
    public let bytes: [UInt8]
    /// The top-level entity: the message's header and body.
    public let root: MIMEEntity
    /// The parse limits this message met: parts beyond them were not parsed (kept as opaque leaves), so
    /// whatever reads the tree has not seen all of the message. Empty for ordinary mail.
    public let exceededLimits: MIMEParseLimits.Exceeded

    /// Parses a message. Never fails: garbage becomes a text/plain message with whatever header it has.
    public init(_ bytes: [UInt8], limits: MIMEParseLimits = .default) {
        self.bytes = bytes
        var parser = MIMEParser(bytes: bytes, limits: limits)
        self.root = parser.parseEntity(in: 0..<bytes.count, defaultType: .textPlain, depth: 0)
        self.exceededLimits = parser.exceeded
    }

    /// The message header.
    public var header: Header { root.header }

    /// The bytes of a range of this message.
    public subscript(range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }
}
