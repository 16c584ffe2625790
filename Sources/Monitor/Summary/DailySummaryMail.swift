import Core
import Foundation
import Queue

/// The daily summary as a plain-text mail to the postmaster.
public struct DailySummaryMail: Sendable {
    public var summary: DailySummary
    /// This node's host name: the sender's domain, the subject's tag and the Message-ID's right side.
    public var hostname: String
    public var from: String
    public var to: [String]
    /// When the mail is written (seconds since 1970).
    public var date: Int64

    public init(summary: DailySummary, hostname: String, from: String, to: [String], date: Int64) {
        self.summary = summary
        self.hostname = hostname
        self.from = from
        self.to = to
        self.date = date
    }

    /// `2026-12-02`.
    public static func dayText(_ day: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(day)))
    }

    public var subject: String { "[\(hostname)] Mail summary for \(Self.dayText(summary.day))" }

    /// The whole message, CRLF line ends, UTF-8 text.
    public func render() -> [UInt8] {
        let header = [
            "From: Posta <\(from)>",
            "To: \(to.map { "<\($0)>" }.joined(separator: ", "))",
            "Subject: \(subject)",
            "Date: \(TraceHeaders.rfc5322Date(Date(timeIntervalSince1970: TimeInterval(date))))",
            "Message-ID: <summary.\(summary.day).\(date)@\(hostname)>",
            "Auto-Submitted: auto-generated",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        let text = (header + [""] + body().split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
            .joined(separator: "\r\n")
        return Array(text.utf8)
    }

    /// The text: one section per list, aligned columns.
    public func body() -> String {
        var out = "Mail on \(hostname) for \(Self.dayText(summary.day)) (UTC).\n\n"
        let received = summary.received.map { "\($0.count) \($0.key)" }.joined(separator: ", ")
        out += "Received:       \(summary.received.reduce(0) { $0 + $1.count })\(received.isEmpty ? "" : " (\(received))")\n"
        out += "Submitted:      \(summary.submitted)\n"
        out += "Refused:        \(summary.refused)\n"
        out += "Failed logins:  \(summary.failedLogins)\n"
        if let peak = summary.queuePeak {
            out += "Queue peak:     \(peak.count) messages (hour \(peak.key):00 UTC)\n"
        } else {
            out += "Queue peak:     not sampled\n"
        }
        out += "Suspended:      \(summary.suspended.isEmpty ? "none" : summary.suspended.joined(separator: ", "))\n"
        out += Self.table("Top senders (messages submitted)", summary.topSenders)
        out += Self.table("Refused, by reply", summary.topRefusals)
        out += Self.table("Failed logins, by client address", summary.topFailingClients)
        return out
    }

    static func table(_ title: String, _ rows: [DailySummary.Count]) -> String {
        guard !rows.isEmpty else { return "\n\(title): none\n" }
        let width = rows.map { String($0.count).count }.max() ?? 1
        return "\n\(title):\n"
            + rows.map { String(repeating: " ", count: width - String($0.count).count + 2) + "\($0.count)  \($0.key)\n" }
            .joined()
    }
}
