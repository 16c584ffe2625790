/// What IMAP's BODY and BODYSTRUCTURE describe (RFC 3501 §7.4.2, RFC 9051 §7.5.2), as plain data.
/// Types, subtypes, parameter names and the encoding are lowercase; other strings are raw header values.
public struct BodyStructure: Sendable, Hashable {
    /// The type-specific part.
    public indirect enum Kind: Sendable, Hashable {
        /// Any non-text, non-message leaf.
        case basic
        /// text/*: the body size in lines.
        case text(lines: Int)
        /// message/rfc822 or message/global: the encapsulated message's envelope and structure, and the
        /// body size in lines.
        case message(envelope: Envelope, body: BodyStructure, lines: Int)
        /// multipart/*: the body parts (at least one).
        case multipart([BodyStructure])
    }

    public var type: String
    public var subtype: String
    public var parameters: [MIMEParameter]
    public var kind: Kind
    /// Content-ID (body-fld-id); not used for multiparts.
    public var id: String?
    /// Content-Description (body-fld-desc); not used for multiparts.
    public var description: String?
    /// Content-Transfer-Encoding name (body-fld-enc); not used for multiparts.
    public var encoding: String
    /// Body size in bytes (body-fld-octets); not used for multiparts.
    public var size: Int
    /// Content-MD5 (body-fld-md5, extension data of single parts).
    public var md5: String?
    public var disposition: ContentDisposition?
    public var language: [String]?
    public var location: String?

    public init(
        type: String, subtype: String, parameters: [MIMEParameter] = [], kind: Kind, id: String? = nil,
        description: String? = nil, encoding: String = "7bit", size: Int = 0, md5: String? = nil,
        disposition: ContentDisposition? = nil, language: [String]? = nil, location: String? = nil
    ) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
        self.kind = kind
        self.id = id
        self.description = description
        self.encoding = encoding
        self.size = size
        self.md5 = md5
        self.disposition = disposition
        self.language = language
        self.location = location
    }
}

extension MIMEMessage {
    /// The body structure of the whole message.
    public var bodyStructure: BodyStructure { bodyStructure(of: root) }

    /// The body structure of an entity of this message. Body sizes and line counts are of the body bytes
    /// as stored; lines are counted as line feeds.
    public func bodyStructure(of entity: MIMEEntity) -> BodyStructure {
        let type = entity.contentType
        let kind: BodyStructure.Kind
        switch entity.content {
        case .multipart(let multipart):
            // IMAP needs at least one part (RFC 3501 §9 body-type-mpart); an empty multipart reads as
            // one empty text/plain part.
            let parts = multipart.parts.isEmpty ? [emptyTextPart] : multipart.parts.map(bodyStructure(of:))
            kind = .multipart(parts)
        case .message(let message):
            kind = .message(
                envelope: Envelope(header: message.header), body: bodyStructure(of: message),
                lines: lineCount(entity.bodyRange))
        case .single:
            kind = type.isText ? .text(lines: lineCount(entity.bodyRange)) : .basic
        }
        var parameters = type.parameters
        if type.isText, case .single = entity.content, type.charset == nil {
            // RFC 2046 §4.1.2: text without a charset parameter is us-ascii.
            parameters.append(MIMEParameter(name: "charset", value: "us-ascii"))
        }
        return BodyStructure(
            type: type.type, subtype: type.subtype, parameters: parameters, kind: kind,
            id: entity.contentID, description: entity.contentDescription, encoding: entity.transferEncoding.name,
            size: entity.bodyRange.count, md5: entity.contentMD5, disposition: entity.contentDisposition,
            language: entity.contentLanguage, location: entity.contentLocation)
    }

    private var emptyTextPart: BodyStructure {
        BodyStructure(
            type: "text", subtype: "plain", parameters: ContentType.textPlain.parameters, kind: .text(lines: 0))
    }

    /// The number of line feeds in a range.
    func lineCount(_ range: Range<Int>) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var count = 0
            for index in range where buffer[index] == ASCII.lf { count += 1 }
            return count
        }
    }
}
