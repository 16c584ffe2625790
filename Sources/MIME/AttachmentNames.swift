extension MIMEEntity {
    /// Every file name a mail client could show or save this entity under, for attachment rules: the
    /// Content-Disposition `filename` (RFC 2183 §2.3) and Content-Type `name` parameters of every such
    /// field (readers differ in which of several they use), plain and RFC 2231 forms alike (continuations,
    /// charsets, and partial readings — see `MIMEParameterList.candidates`), each also with RFC 2047
    /// encoded words decoded, as many mailers write them inside quoted parameters. Unnormalised (trailing
    /// dots and spaces, case) and possibly repeated: the rule deciding on a name normalises it.
    public var attachmentNames: [String] {
        var names: [String] = []
        for field in header.fields(named: "Content-Disposition") {
            names += MIMEParameterList.candidates(named: "filename", in: field.valueBytes, hasSubtype: false)
        }
        for field in header.fields(named: "Content-Type") {
            names += MIMEParameterList.candidates(named: "name", in: field.valueBytes, hasSubtype: true)
        }
        var seen = Set<String>()
        return (names + names.map { EncodedWord.decode(Array($0.utf8)) }).filter { seen.insert($0).inserted }
    }

    /// The MIME types of every Content-Type field (lowercase `type/subtype`; readers differ in which of
    /// several they use), or the effective default when there is none.
    public var declaredMIMETypes: [String] {
        let declared = header.fields(named: "Content-Type").compactMap { ContentType(parsing: $0.valueBytes)?.mimeType }
        return declared.isEmpty ? [contentType.mimeType] : declared
    }
}

extension MIMEMessage {
    /// File names announced by uuencoded blocks (`begin <mode> <name>`, POSIX uuencode) and yEnc headers
    /// (`=ybegin … name=<name>`) in a text part, which many clients show as attachments.
    public func embeddedFileNames(in entity: MIMEEntity) -> [String] {
        guard entity.contentType.isText, case .single = entity.content, let body = decodedBody(of: entity) else { return [] }
        var names: [String] = []
        var lines = LineScanner(body, range: 0..<body.count)
        while let line = lines.next() {
            let text = body[line.start..<line.contentEnd]
            if text.starts(with: Array("begin ".utf8)) {
                let words = text.split(separator: ASCII.space, maxSplits: 2)
                if words.count == 3, words[1].allSatisfy({ (0x30...0x37).contains($0) }) {
                    names.append(String(utf8OrLatin1: words[2]))
                }
            } else if text.starts(with: Array("=ybegin ".utf8)), let range = text.firstRange(of: Array(" name=".utf8)) {
                names.append(String(utf8OrLatin1: text[range.upperBound...]))
            }
        }
        return names
    }

    /// The message inside a message/rfc822 or message/global entity that the parser kept opaque because
    /// it has a transfer encoding (RFC 2046 §5.2.1 forbids one, clients decode it anyway), parsed.
    public func encodedEncapsulatedMessage(in entity: MIMEEntity, limits: MIMEParseLimits = .default) -> MIMEMessage? {
        guard entity.contentType.isEncapsulatedMessage, case .single = entity.content, !entity.transferEncoding.isIdentity,
            let body = decodedBody(of: entity)
        else { return nil }
        return MIMEMessage(body, limits: limits)
    }
}
