import Foundation

/// RFC 5230 §4.5-§4.6 and RFC 3834 §2: when an auto-reply must not be sent.
extension SieveVacation {
    /// RFC 2369, RFC 2919: fields that mark list traffic.
    static let listFields = [
        "list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post", "list-owner", "list-archive",
    ]

    /// RFC 5230 §4.5: the fields the user's address must appear in.
    static let recipientFields = ["to", "cc", "bcc", "resent-to", "resent-cc", "resent-bcc"]

    /// Why no vacation reply may be sent to this message, or nil when one may go. `ownAddresses` are the
    /// recipient's addresses: the envelope recipient and the action's `addresses`.
    public static func responseBlocked(message: SieveMessage, envelope: SieveEnvelope, ownAddresses: [String]) -> String? {
        // RFC 5230 §4.6 / RFC 3834 §2: never answer the null sender.
        let sender = envelope.from.trimmingCharacters(in: ["<", ">", " "])
        if sender.isEmpty { return "the envelope sender is null" }
        // RFC 3834 §2: nor what daemons and list software send.
        let local = SieveAddress.envelope(sender).localPart.lowercased()
        if local == "mailer-daemon" || local == "listserv" || local == "majordomo" || local.hasPrefix("owner-")
            || local.hasSuffix("-request")
        {
            return "the envelope sender \(sender) is a daemon or list address"
        }
        for field in message.fields {
            let name = field.name.lowercased()
            let value = field.raw.lowercased()
            // RFC 3834 §5: Auto-Submitted other than "no".
            if name == "auto-submitted", value.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) != "no" {
                return "the message is Auto-Submitted: \(field.raw)"
            }
            if name == "precedence", ["bulk", "list", "junk"].contains(value.trimmingCharacters(in: .whitespaces)) {
                return "the message has Precedence: \(field.raw)"
            }
            if listFields.contains(name) { return "the message comes from a mailing list (\(field.name))" }
        }
        // RFC 5230 §4.5: only when one of the user's addresses is a visible recipient.
        let own = Set(
            ownAddresses.compactMap { address -> String? in
                let parsed = SieveAddress.parseMailbox(address) ?? SieveAddress.envelope(address)
                return parsed.all.isEmpty ? nil : parsed.all.lowercased()
            })
        for field in message.fields where recipientFields.contains(field.name.lowercased()) {
            for address in SieveAddress.list(field.raw) where own.contains(address.all.lowercased()) { return nil }
        }
        return "none of the user's addresses is in To, Cc, Bcc or Resent-To/Cc/Bcc"
    }
}
