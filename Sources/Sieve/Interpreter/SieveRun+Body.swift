import MIME

/// RFC 5173: the texts the body test compares, each part and the total capped at `maxBodyBytes`.
extension SieveRun {
    func bodyValues(_ test: SieveCall) throws(SieveRuntimeError) -> [String] {
        let mime = message.mime
        var budget = limits.maxBodyBytes
        func take(_ bytes: some Collection<UInt8>) -> String? {
            guard budget > 0 else { return nil }
            let slice = Array(bytes.prefix(budget))
            budget -= slice.count
            return String(decoding: slice, as: UTF8.self)
        }
        // RFC 5173 §5.1: :raw is the body undecoded, MIME structure and all.
        if test.has("raw") {
            return take(mime.bytes[mime.root.bodyRange]).map { [$0] } ?? []
        }
        var values: [String] = []
        // RFC 5173 §5.2: :content selects parts by content type ("" all, "type", or "type/subtype"),
        // decoded; §5.3: :text (the default) is the text parts as text.
        let types = try test.tags["content"].map { (list) throws(SieveRuntimeError) in try expand(list.strings) }
        for entity in Self.leaves(mime.root) {
            let type = entity.contentType
            if let types {
                let wanted = types.contains { pattern in
                    let pattern = pattern.lowercased()
                    if pattern.isEmpty { return true }
                    if pattern.contains("/") { return pattern == type.mimeType.lowercased() }
                    return pattern == type.type.lowercased()
                }
                guard wanted else { continue }
                if type.isText, let text = mime.decodedText(of: entity) {
                    if let value = take(text.utf8) { values.append(value) }
                } else if let body = mime.decodedBody(of: entity), let value = take(body) {
                    values.append(value)
                }
            } else if type.isText, let text = mime.plainText(of: entity), let value = take(text.utf8) {
                values.append(value)
            }
        }
        return values
    }

    /// The leaf parts in order, descending into multiparts and encapsulated messages (RFC 5173 §5.2).
    static func leaves(_ entity: MIMEEntity) -> [MIMEEntity] {
        switch entity.content {
        case .single: [entity]
        case .multipart(let multipart): multipart.parts.flatMap(leaves)
        case .message(let inner): leaves(inner)
        }
    }
}
