import Foundation

extension MIMEMessage {
    /// The message with every leaf part whose body holds NUL octets re-encoded as base64, its
    /// Content-Transfer-Encoding field replaced; everything else byte for byte as it was.
    ///
    /// NUL cannot travel in an IMAP literal (RFC 9051 §4.3, CHAR8) or in SMTP DATA, so a message appended
    /// with a literal8 (RFC 3516 §4.2) is stored this way: `BODY[…]` then shows base64, and `BINARY[…]`
    /// still returns the original octets. Returns the bytes unchanged when no body holds NUL.
    public func encodingBinaryParts() -> [UInt8] {
        var edits: [(range: Range<Int>, replacement: [UInt8])] = []
        collectBinaryPartEdits(root, into: &edits)
        guard !edits.isEmpty else { return bytes }
        edits.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 3)
        var position = 0
        for edit in edits {
            out += bytes[position..<edit.range.lowerBound]
            out += edit.replacement
            position = edit.range.upperBound
        }
        out += bytes[position...]
        return out
    }

    private func collectBinaryPartEdits(_ entity: MIMEEntity, into edits: inout [(range: Range<Int>, replacement: [UInt8])]) {
        switch entity.content {
        case .multipart(let multipart):
            for part in multipart.parts { collectBinaryPartEdits(part, into: &edits) }
        case .message(let message):
            collectBinaryPartEdits(message, into: &edits)
        case .single:
            let body = bytes[entity.bodyRange]
            guard body.contains(0) else { return }
            for field in entity.header.fields(named: "Content-Transfer-Encoding") {
                edits.append((field.range, []))
            }
            // The new field goes last, just before the empty line that ends the header.
            let header = entity.headerRange
            let blank = header.count >= 2 && bytes[header.upperBound - 2] == 13 ? 2 : 1
            let insertAt = max(header.lowerBound, header.upperBound - blank)
            edits.append((insertAt..<insertAt, Array("Content-Transfer-Encoding: base64\r\n".utf8)))
            var encoded = Self.base64Lines(entity.transferEncoding.decode(body) ?? Array(body))
            if body.last == 10 { encoded += [13, 10] }
            edits.append((entity.bodyRange, encoded))
        }
    }

    /// Base64 (RFC 2045 §6.8) in lines of 76 characters separated by CRLF, without a final line break.
    static func base64Lines(_ data: [UInt8]) -> [UInt8] {
        Array(
            Data(data).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
                .utf8)
    }
}
