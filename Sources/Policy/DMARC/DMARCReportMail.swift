import Foundation
import MailAuth

/// The mail that carries an aggregate report to a `mailto:` reporting URI (RFC 9990 §3.5.2):
/// the gzip-compressed XML as an `application/gzip` attachment under the RFC's file name, a short
/// text part for people, and the RFC's Subject form. Auto-generated (RFC 3834), so no one replies.
public struct DMARCReportMail: Sendable {
    public var report: DMARCFeedback
    public var filename: DMARCReportFilename
    /// The reporter's address: From (and envelope sender).
    public var from: String
    /// The Report Consumer's address.
    public var to: String
    /// The Date field's value (RFC 5322 §3.3).
    public var date: String
    /// The receiver's domain: `Submitter` in the subject, right side of the Message-ID.
    public var submitter: String

    public init(report: DMARCFeedback, filename: DMARCReportFilename, from: String, to: String, date: String, submitter: String) {
        self.report = report
        self.filename = filename
        self.from = from
        self.to = to
        self.date = date
        self.submitter = submitter
    }

    /// The message, CRLF line ends, 7-bit.
    public func render() throws -> [UInt8] {
        let metadata = report.metadata
        let domain = report.policyPublished.domain
        let attachment = Data(try report.gzippedXML()).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithLineFeed,
        ])
        // "-" is not in the base64 alphabet, so the boundary cannot occur in the attachment.
        let boundary = "posta-dmarc-" + UUID().uuidString
        let messageID = "<dmarc-\(metadata.dateRange.begin).\(Self.atext(domain))@\(submitter)>"
        let begin = Date(timeIntervalSince1970: TimeInterval(metadata.dateRange.begin))
        let end = Date(timeIntervalSince1970: TimeInterval(metadata.dateRange.end))
        let text = """
            From: <\(from)>
            To: <\(to)>
            Subject: Report Domain: \(domain) Submitter: \(submitter) Report-ID: <\(metadata.reportID)>
            Date: \(date)
            Message-ID: \(messageID)
            Auto-Submitted: auto-generated
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="\(boundary)"

            --\(boundary)
            Content-Type: text/plain; charset=us-ascii

            This is a DMARC aggregate report (RFC 9990) from \(submitter) for \(domain),
            covering \(begin.formatted(.iso8601)) to \(end.formatted(.iso8601)):
            \(report.records.count) records, \(report.records.reduce(0) { $0 + $1.row.count }) messages.

            --\(boundary)
            Content-Type: application/gzip; name="\(filename)"
            Content-Disposition: attachment; filename="\(filename)"
            Content-Transfer-Encoding: base64

            \(attachment)
            --\(boundary)--

            """
        return Array(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
    }

    /// `domain` with what a Message-ID's left side cannot hold replaced.
    private static func atext(_ domain: String) -> String {
        String(domain.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "_" })
    }
}
