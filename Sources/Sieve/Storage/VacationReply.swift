import Core
import Foundation
import MIME
import Queue

/// The vacation reply itself (RFC 5230 §5).
enum VacationReply {
    /// The message: From the user (or `:from`), To the sender, the `:subject` or "Auto: " and the
    /// original subject (§5.6), In-Reply-To and References (§5.8), `Auto-Submitted:
    /// auto-replied` (§5.1, RFC 3834 §5), then the reason as text, or as the MIME entity it is
    /// with `:mime` (§5.9).
    static func compose(_ vacation: SieveVacation, to sender: String, from: String, original: Header, hostname: String)
        -> [UInt8]
    {
        let subject = vacation.subject ?? "Auto: " + (original.field("Subject")?.decodedValue ?? "")
        var lines = [
            "From: " + from,
            "To: <\(sender)>",
            "Subject: " + encoded(subject),
            "Date: " + TraceHeaders.rfc5322Date(Date()),
            "Message-ID: <\(UUID().uuidString.lowercased())@\(hostname)>",
        ]
        if let id = original.field("Message-ID")?.value.trimmingCharacters(in: .whitespaces), id.hasPrefix("<") {
            lines.append("In-Reply-To: " + id)
            let references = original.field("References")?.value ?? ""
            lines.append("References: " + (references.isEmpty ? id : references + " " + id))
        }
        lines += ["Auto-Submitted: auto-replied (vacation)", "Precedence: bulk", "MIME-Version: 1.0"]
        let reason = vacation.reason.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        if vacation.mime {
            // The reason is an entity: its own header fields, an empty line, its body.
            return Array((lines.joined(separator: "\r\n") + "\r\n" + reason + (reason.hasSuffix("\r\n") ? "" : "\r\n")).utf8)
        }
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + reason + (reason.hasSuffix("\r\n") ? "" : "\r\n")).utf8)
    }

    /// RFC 2047 for a subject that is not ASCII.
    static func encoded(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard clean.utf8.contains(where: { $0 >= 0x80 }) else { return clean }
        return "=?utf-8?B?" + Data(clean.utf8).base64EncodedString() + "?="
    }
}
