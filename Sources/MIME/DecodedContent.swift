extension MIMEMessage {
    /// The body of an entity with its Content-Transfer-Encoding undone (RFC 2045 §6); nil for an unknown
    /// encoding.
    public func decodedBody(of entity: MIMEEntity) -> [UInt8]? {
        entity.transferEncoding.decode(bytes[entity.bodyRange])
    }

    /// The content IMAP `BINARY[part]` returns (RFC 3516 §4.2): the whole message for no part numbers,
    /// otherwise the part's body with its transfer encoding undone. Nil when the part does not exist or
    /// its encoding is unknown (UNKNOWN-CTE).
    public func binaryContent(at part: [Int]) -> [UInt8]? {
        guard !part.isEmpty else { return bytes }
        guard let entity = entity(at: part) else { return nil }
        return decodedBody(of: entity)
    }

    /// The text of a text/* entity: transfer encoding undone and charset converted (RFC 2046 §4.1.2;
    /// us-ascii by default). Nil for other types and unknown transfer encodings.
    public func decodedText(of entity: MIMEEntity) -> String? {
        guard entity.contentType.isText, case .single = entity.content, let body = decodedBody(of: entity) else {
            return nil
        }
        return Charset.decode(body, charset: entity.contentType.charset ?? "us-ascii")
    }

    /// Readable text of an entity: text/plain (and other text types) as decoded, text/html rendered by
    /// `HTMLText`. Nil for non-text entities.
    public func plainText(of entity: MIMEEntity) -> String? {
        guard let text = decodedText(of: entity) else { return nil }
        return entity.contentType.subtype == "html" ? HTMLText.render(text) : text
    }
}
