import MIME

extension TLSRPTReport {
    /// Report parts read from one message at most.
    public static let maxReportsPerMessage = 8

    /// The reports a mail message carries (RFC 8460 §5.3: `application/tlsrpt+gzip` or
    /// `application/tlsrpt+json` body parts, usually in a `multipart/report`); also a part with a
    /// `.json` or `.json.gz` file name. Throws when it has none, or when one is not a readable report.
    public static func decode(mail bytes: [UInt8]) throws(TLSRPTReportError) -> [TLSRPTReport] {
        guard bytes.count <= maxReceivedBytes * 2 else {
            throw TLSRPTReportError("message larger than \(maxReceivedBytes * 2) octets")
        }
        let message = MIMEMessage(bytes)
        var parts: [[UInt8]] = []
        var tooMany = false
        func visit(_ entity: MIMEEntity) {
            switch entity.content {
            case .multipart(let multipart):
                for part in multipart.parts { visit(part) }
            case .message:
                return  // a forwarded message is not a report of this one
            case .single:
                let type = entity.contentType.mimeType.lowercased()
                let name = (entity.filename ?? "").lowercased()
                guard
                    type == "application/tlsrpt+gzip" || type == "application/tlsrpt+json" || name.hasSuffix(".json")
                        || name.hasSuffix(".json.gz")
                else { return }
                guard parts.count < maxReportsPerMessage else {
                    tooMany = true
                    return
                }
                if let body = message.decodedBody(of: entity) { parts.append(body) }
            }
        }
        visit(message.root)
        guard !tooMany else { throw TLSRPTReportError("more than \(maxReportsPerMessage) report parts") }
        guard !parts.isEmpty else { throw TLSRPTReportError("the message has no TLS report part") }
        var reports: [TLSRPTReport] = []
        for part in parts { reports.append(try decode(received: part)) }
        return reports
    }
}
