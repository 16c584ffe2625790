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
            "From: <\(from)>",
            "To: <\(sender)>",
            "Subject: " + encoded(subject),
            "Date: " + TraceHeaders.rfc5322Date(Date()),
            "Message-ID: <\(UUID().uuidString.lowercased())@\(hostname)>",
        ]
        // RFC 5230 §5.8: the original's Message-ID, and its References (the last ten), as
        // message ids only: nothing else of the original's fields reaches the reply.
        if let id = messageIDs(original.field("Message-ID")?.value ?? "").first {
            lines.append("In-Reply-To: " + id)
            let references = messageIDs(original.field("References")?.value ?? "").suffix(9) + [id]
            lines.append("References: " + references.joined(separator: "\r\n "))
        }
        lines += ["Auto-Submitted: auto-replied (vacation)", "Precedence: bulk", "MIME-Version: 1.0"]
        let reason = vacation.reason.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        if vacation.mime {
            // The reason is an entity: of its header fields only the Content-* ones are kept
            // (a script must not add recipients or other fields to the reply), then its body.
            let entity = Array(reason.utf8)
            let split = MIMEMessage(entity)
            let contentFields = split.header.fields.filter { $0.lowercasedName.hasPrefix("content-") }
                .map { String(decoding: entity[$0.range], as: UTF8.self) }.joined()
            let body = entity[min(entity.count, split.root.bodyRange.lowerBound)...]
            return Array((lines.joined(separator: "\r\n") + "\r\n" + contentFields + "\r\n").utf8) + body
                + (body.suffix(2) == [0x0D, 0x0A] ? [] : [0x0D, 0x0A])
        }
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"]
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + reason + (reason.hasSuffix("\r\n") ? "" : "\r\n")).utf8)
    }

    /// The `<id>` tokens of a Message-ID or References value (RFC 5322 §3.6.4), each at most
    /// 250 characters.
    static func messageIDs(_ value: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let id = rest[open...close]
            if id.count <= 250, !id.dropFirst().dropLast().contains(where: { $0.isWhitespace || $0 == "<" }) {
                ids.append(String(id))
            }
            rest = rest[rest.index(after: close)...]
        }
        return ids
    }

    /// RFC 2047 for a subject that is not ASCII.
    static func encoded(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard clean.utf8.contains(where: { $0 >= 0x80 }) else { return clean }
        return "=?utf-8?B?" + Data(clean.utf8).base64EncodedString() + "?="
    }
}
