import Core
import Foundation
import MIME

/// The recipients of a message/delivery-status body (RFC 3464 §2.1): a group of per-message fields, then
/// one group of per-recipient fields for each recipient, groups separated by empty lines.
enum DeliveryStatus {
    /// Adds every recipient whose group says it failed (permanent) or was delayed (temporary). Returns how
    /// many per-recipient groups named a recipient at all, successes included.
    @discardableResult
    static func read(_ body: [UInt8], into recipients: inout BounceRecipients) -> Int {
        var named = 0
        for group in groups(of: body) {
            let header = MIMEMessage(group).header
            guard let address = recipient(of: header) else { continue }
            named += 1
            guard let permanent = isPermanent(header) else { continue }
            recipients.add(address, permanent: permanent)
        }
        return named
    }

    /// RFC 3464 §2.3.3 Action decides; a group without one, or with a made-up one (`failure`, `error`), is
    /// judged by its Status class (RFC 3463 §3.1), or the first digit of an SMTP reply code written there
    /// instead (RFC 5321 §4.2.1): 5 permanent, 4 temporary. Nil for successes (`delivered`, `relayed`,
    /// `expanded`) and what cannot be told.
    static func isPermanent(_ header: Header) -> Bool? {
        switch header["Action"].flatMap({ $0.split(separator: " ").first })?.lowercased() {
        case "failed": return true
        case "delayed": return false
        case "delivered", "relayed", "expanded": return nil
        default: break
        }
        // RFC 3464 §2.3.4: the status code may be followed by a comment.
        guard let status = header["Status"].flatMap({ $0.split(separator: " ").first }) else { return nil }
        let statusClass =
            SMTPEnhancedStatusCode(parsing: String(status))?.statusClass
            ?? (status.count == 3 && status.allSatisfy(\.isNumber) ? status.first?.wholeNumberValue : nil)
        switch statusClass {
        case 5: return true
        case 4: return false
        default: return nil
        }
    }

    /// The recipient as the sender named it: Original-Recipient (RFC 3464 §2.3.1, the ORCPT of RFC 3461
    /// §4.2) when it holds a mail address, else Final-Recipient (§2.3.2).
    static func recipient(of header: Header) -> MailAddress? {
        header["Original-Recipient"].flatMap(address) ?? header["Final-Recipient"].flatMap(address)
    }

    /// `address-type ";" generic-address` (RFC 3464 §2.3.2) of type rfc822 (or utf-8, RFC 6533 §3); a value
    /// without a type is read as an address, as some MTAs write it.
    private static func address(_ value: String) -> MailAddress? {
        var text = Substring(value)
        if let semicolon = text.firstIndex(of: ";") {
            let type = text[..<semicolon].trimmingCharacters(in: .whitespaces).lowercased()
            guard type == "rfc822" || type == "utf-8" else { return nil }
            text = text[text.index(after: semicolon)...]
        }
        return BounceAddressScanner.addresses(in: text).first
    }

    /// The groups of a delivery-status body, split at empty (or blank) lines, empty groups dropped.
    static func groups(of body: [UInt8]) -> [[UInt8]] {
        var groups: [[UInt8]] = []
        var current: [UInt8] = []
        var lineStart = 0
        while lineStart < body.count {
            let lineEnd = body[lineStart...].firstIndex(of: 0x0A).map { $0 + 1 } ?? body.count
            let line = body[lineStart..<lineEnd]
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) {
                if !current.isEmpty { groups.append(current) }
                current = []
            } else {
                current += line
            }
            lineStart = lineEnd
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}
