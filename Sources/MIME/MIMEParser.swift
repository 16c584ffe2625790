/// One-pass parser from message bytes to a tree of `MIMEEntity` values (RFC 5322, RFC 2045, RFC 2046).
struct MIMEParser {
    let bytes: [UInt8]
    let limits: MIMEParseLimits
    private(set) var entityCount = 0
    /// The limits this parse met so far.
    private(set) var exceeded: MIMEParseLimits.Exceeded = []

    init(bytes: [UInt8], limits: MIMEParseLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// Parses the entity occupying `range`; `defaultType` applies when it has no valid Content-Type.
    mutating func parseEntity(in range: Range<Int>, defaultType: ContentType, depth: Int) -> MIMEEntity {
        entityCount += 1
        let (header, bodyStart) = Header.parse(bytes, in: range)
        if bodyStart - range.lowerBound > limits.maxHeaderBytes { exceeded.insert(.headerSize) }
        var contentType = header.field("Content-Type").flatMap { ContentType(parsing: $0.valueBytes) } ?? defaultType
        let bodyRange = bodyStart..<range.upperBound
        var content = MIMEEntity.Content.single
        let canNest = depth < limits.maxDepth && entityCount < limits.maxEntities
        let nests = contentType.isMultipart || contentType.isEncapsulatedMessage
        if nests && depth >= limits.maxDepth { exceeded.insert(.depth) }
        if nests && entityCount >= limits.maxEntities { exceeded.insert(.entities) }

        if contentType.isMultipart {
            if let boundary = contentType.boundary, !boundary.isEmpty, canNest {
                let childType: ContentType = contentType.subtype == "digest" ? .messageRFC822 : .textPlain
                content = .multipart(
                    parseMultipart(bodyRange, boundary: Array(boundary.utf8), childType: childType, depth: depth))
            } else {
                // Unusable without a boundary (RFC 2046 §5.1.1): treated as an unrecognised type.
                contentType = ContentType(type: "application", subtype: "octet-stream")
            }
        } else if contentType.isEncapsulatedMessage, canNest,
            TransferEncoding(header["Content-Transfer-Encoding"]).isIdentity
        {
            content = .message(parseEntity(in: bodyRange, defaultType: .textPlain, depth: depth + 1))
        }
        return MIMEEntity(
            range: range, headerRange: range.lowerBound..<bodyStart, bodyRange: bodyRange, header: header,
            contentType: contentType, content: content)
    }

    /// Splits a multipart body at delimiter lines (RFC 2046 §5.1.1). The line break before a delimiter
    /// belongs to the delimiter. A missing close delimiter ends the last part at the end of the body;
    /// lines that only resemble a delimiter (other text after the boundary) stay in the part.
    private mutating func parseMultipart(
        _ body: Range<Int>, boundary: [UInt8], childType: ContentType, depth: Int
    ) -> MIMEEntity.Multipart {
        var parts: [MIMEEntity] = []
        var preamble = body.lowerBound..<body.lowerBound
        var partStart: Int?
        var lines = LineScanner(bytes, range: body)
        while let line = lines.next() {
            guard let isClose = delimiter(line.start..<line.contentEnd, boundary: boundary) else { continue }
            let delimiterStart = lineBreakStart(before: line.start, notBefore: partStart ?? body.lowerBound)
            if let start = partStart {
                if entityCount < limits.maxEntities {
                    parts.append(
                        parseEntity(in: start..<delimiterStart, defaultType: childType, depth: depth + 1))
                } else {
                    exceeded.insert(.entities)
                }
            } else {
                preamble = body.lowerBound..<delimiterStart
            }
            if isClose {
                return MIMEEntity.Multipart(
                    parts: parts, preamble: preamble, epilogue: line.next..<body.upperBound, isTerminated: true)
            }
            partStart = line.next
        }
        if let start = partStart {
            if entityCount < limits.maxEntities {
                parts.append(parseEntity(in: start..<body.upperBound, defaultType: childType, depth: depth + 1))
            } else {
                exceeded.insert(.entities)
            }
        }
        if partStart == nil { preamble = body }
        return MIMEEntity.Multipart(
            parts: parts, preamble: preamble, epilogue: body.upperBound..<body.upperBound, isTerminated: false)
    }

    /// Whether the line is `--boundary` followed only by whitespace (nil: not a delimiter; false), or the
    /// close delimiter `--boundary--` (true).
    private func delimiter(_ line: Range<Int>, boundary: [UInt8]) -> Bool? {
        let afterDashes = line.lowerBound + 2
        let afterBoundary = afterDashes + boundary.count
        guard afterBoundary <= line.upperBound, bytes[line.lowerBound] == ASCII.hyphen,
            bytes[line.lowerBound + 1] == ASCII.hyphen
        else { return nil }
        for offset in 0..<boundary.count where bytes[afterDashes + offset] != boundary[offset] { return nil }
        if afterBoundary + 1 < line.upperBound, bytes[afterBoundary] == ASCII.hyphen,
            bytes[afterBoundary + 1] == ASCII.hyphen
        {
            return true
        }
        for index in afterBoundary..<line.upperBound where !ASCII.isWSP(bytes[index]) { return nil }
        return false
    }

    /// Where the line break ending the previous line starts (CR LF or bare LF), not before `limit`.
    private func lineBreakStart(before lineStart: Int, notBefore limit: Int) -> Int {
        var start = lineStart
        if start > limit, bytes[start - 1] == ASCII.lf { start -= 1 }
        if start > limit, bytes[start - 1] == ASCII.cr { start -= 1 }
        return start
    }
}
