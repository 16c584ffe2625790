import Foundation

/// A TLS report as a mail message (RFC 8460 §5.3): `multipart/report; report-type="tlsrpt"` with a
/// short text part and the gzip-compressed JSON as `application/tlsrpt+gzip`, and the
/// `TLS-Report-Domain` / `TLS-Report-Submitter` header fields; the Subject follows §5.3's example.
public struct TLSRPTReportMail: Sendable {
    public var report: TLSRPTReport
    /// The policy domain the report is about.
    public var domain: String
    /// The sending site's domain (`TLS-Report-Submitter`).
    public var submitter: String
    public var from: String
    public var to: String
    /// Seconds since 1970, for the Date field.
    public var date: Int64
    /// The report's period, for the attachment name (§5.1).
    public var begin: Int64
    public var end: Int64

    public init(
        report: TLSRPTReport, domain: String, submitter: String, from: String, to: String, date: Int64, begin: Int64, end: Int64
    ) {
        self.report = report
        self.domain = domain
        self.submitter = submitter
        self.from = from
        self.to = to
        self.date = date
        self.begin = begin
        self.end = end
    }

    /// The message, CRLF line ends, 7-bit.
    public func render() throws -> [UInt8] {
        let attachment = try report.gzippedJSON()
        let boundary =
            "tlsrpt-"
            + String(
                report.reportID.utf8.reduce(into: UInt64(1_469_598_103_934_665_603)) {
                    $0 = ($0 ^ UInt64($1)) &* 1_099_511_628_211
                }, radix: 16)
        let filename = TLSRPTReport.filename(submitter: submitter, policyDomain: domain, begin: begin, end: end)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let encoded = Data(attachment).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        let lines = [
            "From: \(from)",
            "To: \(to)",
            "Date: \(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(date))))",
            "Subject: Report Domain: \(domain) Submitter: \(submitter) Report-ID: <\(report.reportID)>",
            "Message-ID: <tlsrpt.\(begin).\(domain)@\(submitter)>",
            "TLS-Report-Domain: \(domain)",
            "TLS-Report-Submitter: \(submitter)",
            "MIME-Version: 1.0",
            "Content-Type: multipart/report; report-type=\"tlsrpt\";",
            " boundary=\"\(boundary)\"",
            "",
            "--\(boundary)",
            "Content-Type: text/plain; charset=us-ascii",
            "Content-Transfer-Encoding: 7bit",
            "",
            "This is an aggregate TLS report (RFC 8460) from \(submitter) about \(domain).",
            "",
            "--\(boundary)",
            "Content-Type: application/tlsrpt+gzip",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment;",
            " filename=\"\(filename)\"",
            "",
            encoded,
            "--\(boundary)--",
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }
}
