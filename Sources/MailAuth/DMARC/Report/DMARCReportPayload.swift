import CompressNIO
import Foundation
import MIME
import NIOCore

/// Finds aggregate reports in what arrives at a report address (RFC 9990 §3.5.2): an XML
/// document, gzip-compressed XML (`application/gzip`), a zip archive of XML documents (sent by
/// several large receivers), or a whole mail message carrying one of those as a body part.
///
/// Hostile input is expected (§8.1): formats are recognized by their first octets, not by names;
/// decompression stops at `DMARCReportLimits.xmlBytes` per document and `totalXMLBytes` per payload;
/// archives have a bounded entry count; nothing nests deeper than message → archive → XML.
public enum DMARCReportPayload {
    /// What a payload is, by its first octets.
    public enum Kind: String, Sendable, Hashable {
        case gzip, zip, xml, message
    }

    public static func kind(of bytes: [UInt8]) -> Kind {
        if bytes.starts(with: [0x1F, 0x8B]) { return .gzip }
        if bytes.starts(with: Array("PK\u{03}\u{04}".utf8)) || bytes.starts(with: Array("PK\u{05}\u{06}".utf8)) { return .zip }
        var rest = bytes[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        if let first = rest.first(where: { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }), first == UInt8(ascii: "<") {
            return .xml
        }
        return .message
    }

    /// Every report in `bytes`. Throws when none could be read (the first problem met), or
    /// when the payload breaks a limit.
    public static func reports(in bytes: [UInt8], limits: DMARCReportLimits = DMARCReportLimits()) throws(DMARCReportError)
        -> [DMARCFeedback]
    {
        var reports: [DMARCFeedback] = []
        var firstProblem: DMARCReportError?
        for document in try documents(in: bytes, limits: limits) {
            do {
                reports.append(try DMARCFeedback.decode(xml: document, limits: limits))
            } catch {
                firstProblem = firstProblem ?? error
            }
        }
        guard !reports.isEmpty else { throw firstProblem ?? DMARCReportError("no aggregate report found") }
        return reports
    }

    /// The XML documents in `bytes`, decompressed.
    public static func documents(in bytes: [UInt8], limits: DMARCReportLimits = DMARCReportLimits()) throws(DMARCReportError)
        -> [[UInt8]]
    {
        guard bytes.count <= limits.payloadBytes else {
            throw DMARCReportError("payload of \(bytes.count) octets (limit \(limits.payloadBytes))")
        }
        var budget = limits.totalXMLBytes
        switch kind(of: bytes) {
        case .message:
            var documents: [[UInt8]] = []
            for part in try reportParts(ofMessage: bytes, limits: limits) {
                documents += try self.documents(inPart: part, limits: limits, budget: &budget)
                guard documents.count <= limits.reports else {
                    throw DMARCReportError("more than \(limits.reports) reports in one message")
                }
            }
            guard !documents.isEmpty else { throw DMARCReportError("the message has no report attachment") }
            return documents
        case .gzip, .zip, .xml:
            return try documents(inPart: bytes, limits: limits, budget: &budget)
        }
    }

    private static func documents(inPart bytes: [UInt8], limits: DMARCReportLimits, budget: inout Int) throws(DMARCReportError)
        -> [[UInt8]]
    {
        switch kind(of: bytes) {
        case .xml: return [bytes]
        case .gzip: return [try gunzip(bytes, limits: limits, budget: &budget)]
        case .zip: return try unzip(bytes, limits: limits, budget: &budget)
        case .message: throw DMARCReportError("not XML, gzip or zip")
        }
    }

    /// Inflates a gzip member (RFC 1952), at most `xmlBytes` and what is left of the budget.
    static func gunzip(_ bytes: [UInt8], limits: DMARCReportLimits, budget: inout Int) throws(DMARCReportError) -> [UInt8] {
        let cap = min(limits.xmlBytes, budget)
        guard cap > 0 else { throw DMARCReportError("the payload inflates beyond \(limits.totalXMLBytes) octets") }
        var buffer = ByteBuffer(bytes: bytes)
        let inflated: ByteBuffer
        do {
            inflated = try buffer.decompress(with: .gzip(), maxSize: cap)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw DMARCReportError("gzip data inflates beyond \(cap) octets")
        } catch {
            throw DMARCReportError("broken gzip data (\(error))")
        }
        budget -= inflated.readableBytes
        return Array(inflated.readableBytesView)
    }

    /// The file entries of a zip archive (`DMARCZipReader`), each inflated within the limits; a
    /// gzip-compressed entry is inflated too.
    static func unzip(_ bytes: [UInt8], limits: DMARCReportLimits, budget: inout Int) throws(DMARCReportError) -> [[UInt8]] {
        let archive = try DMARCZipReader(bytes, maxEntries: limits.archiveEntries)
        var documents: [[UInt8]] = []
        for entry in archive.entries where !entry.name.hasSuffix("/") {
            let content = try archive.content(of: entry, limit: min(limits.xmlBytes, budget))
            budget -= content.count
            switch kind(of: content) {
            case .xml: documents.append(content)
            case .gzip: documents.append(try gunzip(content, limits: limits, budget: &budget))
            case .zip, .message: continue
            }
            guard documents.count <= limits.reports else {
                throw DMARCReportError("more than \(limits.reports) reports in one archive")
            }
        }
        return documents
    }

    /// The decoded bodies of a message's parts that can hold a report: XML, gzip or zip by type
    /// or file name, recognized in the end by their content.
    static func reportParts(ofMessage bytes: [UInt8], limits: DMARCReportLimits) throws(DMARCReportError) -> [[UInt8]] {
        let message = MIMEMessage(bytes)
        var parts: [[UInt8]] = []
        var candidates = 0
        func visit(_ entity: MIMEEntity) throws(DMARCReportError) {
            switch entity.content {
            case .multipart(let multipart):
                for part in multipart.parts { try visit(part) }
            case .message(let inner):
                try visit(inner)
            case .single:
                guard isReportType(entity) else { return }
                candidates += 1
                guard candidates <= limits.reports else { throw DMARCReportError("more than \(limits.reports) report parts") }
                guard let body = message.decodedBody(of: entity), kind(of: body) != .message else { return }
                parts.append(body)
            }
        }
        try visit(message.root)
        return parts
    }

    private static func isReportType(_ entity: MIMEEntity) -> Bool {
        let type = entity.contentType.mimeType.lowercased()
        let types = [
            "application/gzip", "application/x-gzip", "application/zip", "application/x-zip", "application/x-zip-compressed",
            "text/xml", "application/xml", "application/octet-stream",
        ]
        if types.contains(type) { return true }
        let name = (entity.filename ?? "").lowercased()
        return name.hasSuffix(".xml") || name.hasSuffix(".gz") || name.hasSuffix(".zip")
    }
}
