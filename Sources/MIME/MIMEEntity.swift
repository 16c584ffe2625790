/// A message or body part (RFC 2045 §2.4): header and body as ranges into the message bytes, and its
/// children. Ranges always lie inside the bytes the entity was parsed from.
public struct MIMEEntity: Sendable, Hashable {
    /// What the body holds.
    public indirect enum Content: Sendable, Hashable {
        /// A leaf body (any non-multipart, non-encapsulated type).
        case single
        /// Body parts of a multipart (RFC 2046 §5.1).
        case multipart(Multipart)
        /// An encapsulated message (message/rfc822, message/global; RFC 2046 §5.2.1) parsed as an entity.
        case message(MIMEEntity)
    }

    /// The body of a multipart entity split at its boundaries (RFC 2046 §5.1.1).
    public struct Multipart: Sendable, Hashable {
        public var parts: [MIMEEntity]
        /// Text before the first delimiter line.
        public var preamble: Range<Int>
        /// Text after the close delimiter line; empty when it is missing.
        public var epilogue: Range<Int>
        /// False when the close delimiter (`--boundary--`) never came.
        public var isTerminated: Bool
    }

    /// Header and body.
    public var range: Range<Int>
    /// The header section including the empty line that ends it (what `BODY[HEADER]` and `BODY[n.MIME]` are).
    public var headerRange: Range<Int>
    /// The body: everything after the empty line.
    public var bodyRange: Range<Int>
    public var header: Header
    /// The Content-Type, or its default (RFC 2045 §5.2, RFC 2046 §5.1.5) when missing or invalid.
    public var contentType: ContentType
    public var content: Content

    /// Child entities of a multipart (empty otherwise).
    public var parts: [MIMEEntity] {
        if case .multipart(let multipart) = content { return multipart.parts }
        return []
    }

    /// The encapsulated message of a message/rfc822 or message/global entity.
    public var encapsulatedMessage: MIMEEntity? {
        if case .message(let message) = content { return message }
        return nil
    }
}

extension MIMEEntity {
    /// Content-Transfer-Encoding (RFC 2045 §6), 7bit by default.
    public var transferEncoding: TransferEncoding { TransferEncoding(header["Content-Transfer-Encoding"]) }

    /// Content-ID (RFC 2045 §7), unfolded, as written.
    public var contentID: String? { header["Content-ID"] }

    /// Content-Description (RFC 2045 §8), unfolded, not decoded.
    public var contentDescription: String? { header["Content-Description"] }

    /// Content-Disposition (RFC 2183).
    public var contentDisposition: ContentDisposition? {
        header.field("Content-Disposition").flatMap { ContentDisposition(parsing: $0.valueBytes) }
    }

    /// Content-Language tags (RFC 3282), nil when the field is absent.
    public var contentLanguage: [String]? {
        guard let value = header["Content-Language"] else { return nil }
        let tags = value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
        return tags.isEmpty ? nil : tags
    }

    /// Content-Location (RFC 2557 §4.2), with folding whitespace removed.
    public var contentLocation: String? {
        header["Content-Location"].map { String($0.filter { $0 != " " && $0 != "\t" }) }
    }

    /// Content-MD5 (RFC 1864), as written.
    public var contentMD5: String? { header["Content-MD5"] }

    /// The attachment file name: Content-Disposition `filename`, else Content-Type `name`, with RFC 2047
    /// encoded words (used by many mailers inside parameters) decoded.
    public var filename: String? {
        let raw = contentDisposition?.filename ?? contentType.parameters.value(of: "name")
        return raw.map(EncodedWord.decode)
    }
}
