import CompressNIO
import Foundation
import NIOCore
import XMLCoder

extension DMARCFeedback {
    /// The report as an XML document (RFC 9990 Appendix A): UTF-8, the `dmarc-2.0` namespace on
    /// `feedback`, elements in schema order. Text is stripped of characters XML 1.0 cannot carry.
    public func xml() throws -> [UInt8] {
        let encoder = XMLEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        let data = try encoder.encode(
            sanitized(), withRootKey: "feedback", rootAttributes: ["xmlns": Self.namespace],
            header: XMLHeader(version: 1.0, encoding: "UTF-8"))
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// The XML document compressed with gzip (RFC 1952), as reports are mailed (`.xml.gz`, §3.5.2).
    public func gzippedXML() throws -> [UInt8] { try Self.gzip(try xml()) }

    /// `bytes` as one gzip member (RFC 1952).
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        let compressor = CompressionAlgorithm.gzip().compressor
        try compressor.startStream()
        defer { try? compressor.finishStream() }
        var output = ByteBufferAllocator().buffer(capacity: compressor.maxSize(from: input))
        try compressor.streamDeflate(from: &input, to: &output, flush: .finish)
        return Array(output.readableBytesView)
    }

    /// Reads one XML report (with or without the RFC 9990 namespace, or an RFC 7489 one) after the
    /// structural checks of `DMARCXMLScan`: no DTD, bounded depth, elements and records.
    public static func decode(xml bytes: [UInt8], limits: DMARCReportLimits = DMARCReportLimits()) throws(DMARCReportError)
        -> DMARCFeedback
    {
        guard bytes.count <= limits.xmlBytes else {
            throw DMARCReportError("XML document of \(bytes.count) octets (limit \(limits.xmlBytes))")
        }
        let bytes = try DMARCXMLScan.utf8(bytes)
        let root = try DMARCXMLScan.check(bytes, limits: limits)
        guard root == "feedback" else { throw DMARCReportError("root element is <\(root)>, not <feedback>") }
        let feedback: DMARCFeedback
        do {
            let decoder = XMLDecoder()
            decoder.shouldProcessNamespaces = true
            feedback = try decoder.decode(DMARCFeedback.self, from: Data(bytes))
        } catch {
            throw DMARCReportError("not a DMARC aggregate report: \(Self.describe(error))")
        }
        guard feedback.records.count <= limits.records else {
            throw DMARCReportError("\(feedback.records.count) records (limit \(limits.records))")
        }
        return feedback
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing <\(key.stringValue)> in \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
            DecodingError.valueNotFound(_, let context):
            return "\(context.debugDescription.prefix(120)) in \(path(context.codingPath))"
        default:
            return String(describing: error).prefix(160).description
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        "/feedback/" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: "/")
    }

    /// The report with every text stripped of characters XML 1.0 does not allow (§2.2).
    func sanitized() -> DMARCFeedback {
        var metadata = self.metadata
        metadata.orgName = Self.xmlText(metadata.orgName)
        metadata.email = Self.xmlText(metadata.email)
        metadata.reportID = Self.xmlText(metadata.reportID)
        metadata.errors = metadata.errors.map(Self.xmlText)
        metadata.generator = metadata.generator.map(Self.xmlText)
        if let info = metadata.extraContactInfo {
            metadata.extraContactInfo = DMARCReportText(Self.xmlText(info.value), lang: info.lang)
        }
        let records = self.records.map { record in
            var record = record
            record.row.policyEvaluated.reasons = record.row.policyEvaluated.reasons.map {
                DMARCOverrideReason($0.type, comment: $0.comment.map(Self.xmlText))
            }
            record.authResults.dkim = record.authResults.dkim.map {
                var result = $0
                result.selector = result.selector.map(Self.xmlText)
                result.humanResult = result.humanResult.map(Self.xmlText)
                return result
            }
            if var spf = record.authResults.spf {
                spf.humanResult = spf.humanResult.map(Self.xmlText)
                record.authResults.spf = spf
            }
            return record
        }
        return DMARCFeedback(version: version, metadata: metadata, policyPublished: policyPublished, records: records)
    }

    /// XML 1.0 §2.2 `Char`: tab, LF, CR and U+0020 upward, less the surrogates and U+FFFE/U+FFFF.
    static func xmlText(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
                || (0xE000...0xFFFD).contains(value) || value >= 0x10000
            {
                result.append(scalar)
            }
        }
        return String(result)
    }
}

/// A structural pass over an XML document before any parser builds a tree from it (RFC 9990 §8.1):
/// no document type declaration (so no entity expansion), nesting and element count bounded.
enum DMARCXMLScan {
    /// The document in UTF-8 without a byte order mark: as it is when it is UTF-8 (or declares
    /// US-ASCII), transcoded when it declares ISO-8859-1 or windows-1252 (seen in reports), refused
    /// otherwise. Foundation's XML parser traps on names that are not UTF-8, so nothing else may
    /// reach it.
    static func utf8(_ bytes: [UInt8]) throws(DMARCReportError) -> [UInt8] {
        var bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x00, 0x3C])
            || bytes.starts(with: [0x3C, 0x00])
        {
            throw DMARCReportError("UTF-16 XML is not accepted")
        }
        var encoding = "utf-8"
        var declarationEnd = 0
        if bytes.starts(with: Array("<?xml".utf8)), let close = bytes.firstRange(of: Array("?>".utf8)) {
            declarationEnd = close.upperBound
            let declaration = String(decoding: bytes[..<close.lowerBound], as: UTF8.self).lowercased()
            if let range = declaration.range(of: "encoding") {
                let rest = declaration[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
                if let quote = rest.first, quote == "\"" || quote == "'" {
                    encoding = String(rest.dropFirst().prefix { $0 != quote })
                }
            }
        }
        switch encoding {
        case "utf-8", "utf8", "us-ascii", "ascii":
            guard String(validating: bytes, as: UTF8.self) != nil else { throw DMARCReportError("the XML is not valid UTF-8") }
            return bytes
        case "iso-8859-1", "latin1", "iso_8859-1", "windows-1252", "cp1252":
            // Latin-1 octets are their code points; the document loses its declaration, so is UTF-8.
            var transcoded: [UInt8] = []
            transcoded.reserveCapacity(bytes.count)
            for octet in bytes[declarationEnd...] {
                if octet < 0x80 {
                    transcoded.append(octet)
                } else {
                    transcoded += Array(String(Character(Unicode.Scalar(octet))).utf8)
                }
            }
            return transcoded
        default:
            throw DMARCReportError("XML in \(encoding.prefix(20)) is not accepted")
        }
    }

    /// The local name of the root element; throws when the document breaks a rule or a limit.
    static func check(_ bytes: [UInt8], limits: DMARCReportLimits) throws(DMARCReportError) -> String {
        var depth = 0
        var elements = 0
        var root: String?
        var index = 0
        let count = bytes.count
        func skip(past terminator: [UInt8], from start: Int) throws(DMARCReportError) -> Int {
            var position = start
            while position + terminator.count <= count {
                if bytes[position] == terminator[0] && Array(bytes[position..<position + terminator.count]) == terminator {
                    return position + terminator.count
                }
                position += 1
            }
            throw DMARCReportError("malformed XML: unterminated markup")
        }
        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            guard index + 1 < count else { throw DMARCReportError("malformed XML: document ends inside markup") }
            switch bytes[index + 1] {
            case UInt8(ascii: "?"):
                // Only the XML declaration, first in the document (Foundation's parser traps on some
                // processing instructions).
                guard index == 0, bytes.starts(with: Array("<?xml".utf8)), bytes.count > 5,
                    [0x20, 0x09, 0x0D, 0x0A].contains(bytes[5])
                else { throw DMARCReportError("XML processing instructions are not accepted") }
                index = try skip(past: Array("?>".utf8), from: index + 2)
            case UInt8(ascii: "!"):
                if bytes[index...].starts(with: "<!--".utf8) {
                    index = try skip(past: Array("-->".utf8), from: index + 4)
                } else if bytes[index...].starts(with: "<![CDATA[".utf8) {
                    index = try skip(past: Array("]]>".utf8), from: index + 9)
                } else {
                    throw DMARCReportError("XML with a document type declaration is not accepted")
                }
            case UInt8(ascii: "/"):
                depth -= 1
                guard depth >= 0 else { throw DMARCReportError("malformed XML: unbalanced end tag") }
                index = try skip(past: [UInt8(ascii: ">")], from: index + 2)
            default:
                // A start tag; attribute values may hold ">".
                var position = index + 1
                var quote: UInt8?
                while position < count {
                    let octet = bytes[position]
                    if let open = quote {
                        if octet == open { quote = nil }
                    } else if octet == UInt8(ascii: "\"") || octet == UInt8(ascii: "'") {
                        quote = octet
                    } else if octet == UInt8(ascii: ">") {
                        break
                    }
                    position += 1
                }
                guard position < count else { throw DMARCReportError("malformed XML: unterminated start tag") }
                elements += 1
                guard elements <= limits.elements else {
                    throw DMARCReportError("more than \(limits.elements) XML elements")
                }
                if root == nil {
                    let name = bytes[(index + 1)..<position].prefix { !Self.isNameEnd($0) }
                    let local = name.split(separator: UInt8(ascii: ":")).last ?? name[...]
                    root = String(decoding: local, as: UTF8.self)
                }
                if bytes[position - 1] != UInt8(ascii: "/") {
                    depth += 1
                    guard depth <= limits.depth else {
                        throw DMARCReportError("XML nested deeper than \(limits.depth) elements")
                    }
                }
                index = position + 1
            }
        }
        guard let root else { throw DMARCReportError("no XML element") }
        return root
    }

    private static func isNameEnd(_ octet: UInt8) -> Bool {
        octet == UInt8(ascii: " ") || octet == UInt8(ascii: "\t") || octet == UInt8(ascii: "\r") || octet == UInt8(ascii: "\n")
            || octet == UInt8(ascii: "/") || octet == UInt8(ascii: ">")
    }
}
