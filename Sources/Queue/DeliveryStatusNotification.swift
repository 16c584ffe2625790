import Core
import Foundation

/// A delivery status notification (RFC 3464) for failed recipients, or a delay warning for
/// recipients still being retried: a multipart/report (RFC 6522) with a human-readable part, a
/// message/delivery-status part, and the original message (or only its header when the sender
/// asked for RET=HDRS, RFC 3461 §4.3, and always for a delay warning).
struct DeliveryStatusNotification {
    /// RFC 3464 §2.3.3 Action: `failed`, or `delayed` (a warning; delivery goes on).
    enum Action: String {
        case failed
        case delayed
    }

    struct Failure {
        var finalRecipient: String
        var originalRecipient: DSNOriginalRecipient?
        var diagnostic: DeliveryReply
    }

    let reportingMTA: String
    let messageID: String
    let sender: String
    let envelopeID: String?
    let returnHeadersOnly: Bool
    let arrival: Date
    let failures: [Failure]
    var action: Action = .failed
    /// For a delay warning: when the queue gives up (RFC 3464 §2.3.9 Will-Retry-Until).
    var willRetryUntil: Date? = nil

    /// The notification, with CRLF line ends; `original` is the spooled message.
    func render(original: [UInt8]) -> [UInt8] {
        let boundary = "posta-dsn-\(messageID)"
        var text = """
            From: Mail Delivery System <MAILER-DAEMON@\(reportingMTA)>
            To: <\(sender)>
            Subject: \(action == .failed ? "Undelivered Mail Returned to Sender" : "Delayed Mail (still being retried)")
            Date: \(TraceHeaders.rfc5322Date(Date()))
            Message-ID: <\(messageID).\(action == .failed ? "dsn" : "delay")@\(reportingMTA)>
            Auto-Submitted: auto-replied
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="\(boundary)"

            This is a MIME-encapsulated message.

            --\(boundary)
            Content-Type: text/plain; charset=utf-8

            This is the mail system at \(reportingMTA).
            \(action == .failed
                ? "Your message could not be delivered to the following recipients:"
                : "Your message has not been delivered yet to the following recipients; delivery is still being tried:")

            \(failures.map { "<\($0.finalRecipient)>: \($0.diagnostic)" }.joined(separator: "\n"))

            --\(boundary)
            Content-Type: message/delivery-status

            Reporting-MTA: dns; \(reportingMTA)

            """
        if let envelopeID { text += "Original-Envelope-Id: \(envelopeID)\n" }
        text += "Arrival-Date: \(TraceHeaders.rfc5322Date(arrival))\n"
        for failure in failures {
            text += "\n"
            text += "Final-Recipient: rfc822; \(failure.finalRecipient)\n"
            if let original = failure.originalRecipient { text += "Original-Recipient: \(original)\n" }
            text += "Action: \(action.rawValue)\n"
            text += "Status: \(failure.diagnostic.dsnStatus(fallback: action == .failed ? .init(5, 0, 0) : .init(4, 0, 0)))\n"
            text += "Diagnostic-Code: smtp; \(failure.diagnostic)\n"
            if let willRetryUntil { text += "Will-Retry-Until: \(TraceHeaders.rfc5322Date(willRetryUntil))\n" }
        }
        let headersOnly = returnHeadersOnly || action == .delayed
        text += "\n--\(boundary)\n"
        text += headersOnly ? "Content-Type: text/rfc822-headers\n\n" : "Content-Type: message/rfc822\n\n"
        var bytes = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        bytes += headersOnly ? Self.headerSection(of: original) : original
        if bytes.last != 0x0A { bytes += Array("\r\n".utf8) }
        bytes += Array("\r\n--\(boundary)--\r\n".utf8)
        return bytes
    }

    static func headerSection(of message: [UInt8]) -> [UInt8] {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard message.count >= 4 else { return message }
        for index in 0...(message.count - 4) where Array(message[index..<index + 4]) == separator {
            return Array(message[..<(index + 2)])
        }
        return message
    }
}
