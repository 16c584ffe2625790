import Core
import Foundation
import MIME

/// The trace fields Posta adds (RFC 5321 §4.4, RFC 5322 §3.6.7).
public enum TraceHeaders {
    /// The `Received:` field for a message accepted from `helo` at `clientIP`, folded over lines.
    /// `tls` is e.g. `"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"`; `protocolName` is the RFC 3848
    /// "with" keyword (ESMTP, ESMTPS, ESMTPSA, LMTP…). `for` names the recipient when there is one.
    public static func received(
        helo: String, clientIP: String, byHost: String, protocolName: String, queueID: String, tls: String?,
        recipient: String?, date: Date = Date()
    ) -> String {
        var lines = [
            "Received: from \(sanitize(helo)) ([\(clientIP)])", "\tby \(byHost) (Posta) with \(protocolName) id \(queueID)",
        ]
        if let tls { lines.append("\t(using \(tls))") }
        if let recipient { lines.append("\tfor <\(recipient)>;") } else { lines[lines.count - 1] += ";" }
        lines.append("\t\(rfc5322Date(date))")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// `Return-Path:` and `Delivered-To:` for final delivery into a mailbox (RFC 5321 §4.4).
    public static func finalDelivery(reversePath: String?, deliveredTo: String) -> String {
        "Return-Path: <\(reversePath ?? "")>\r\nDelivered-To: \(deliveredTo)\r\n"
    }

    /// A date in RFC 5322 §3.3 form, e.g. `Sun, 29 Nov 2026 04:20:27 +0000`.
    public static func rfc5322Date(_ date: Date) -> String {
        MessageDate.rfc5322(secondsSince1970: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    /// HELO text goes into a header: keep it printable and unfoldable.
    static func sanitize(_ text: String) -> String {
        let cleaned = text.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != "(" && $0 != ")" && $0 != ";" }
        let result = String(String.UnicodeScalarView(cleaned.prefix(255)))
        return result.isEmpty ? "unknown" : result
    }
}
