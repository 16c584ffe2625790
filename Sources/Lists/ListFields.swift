import Core
import MIME

/// The fields a list puts on each copy: RFC 2919 List-Id, the RFC 2369 commands, RFC 8058's
/// one-click unsubscribe, and the markers that stop loops and auto-replies.
enum ListFields {
    /// Fields of the post's own header that a list replaces or removes (lower case): list fields
    /// from an earlier list, approval passwords (never passed on), receipt requests that would
    /// send every member's reading confirmation to the author, and `Precedence`.
    static let removed: Set<String> = [
        "list-id", "list-help", "list-post", "list-subscribe", "list-unsubscribe", "list-unsubscribe-post", "list-owner",
        "list-archive", "archived-at", "approved", "approve", "x-approved", "x-approve", "return-receipt-to",
        "disposition-notification-to", "x-confirm-reading-to", "x-pmrqc", "precedence", "return-path",
    ]

    /// Fields every copy adds (lower case).
    static let added: Set<String> = [
        "list-id", "list-help", "list-post", "list-owner", "x-beenthere", "precedence", "list-unsubscribe",
        "list-unsubscribe-post", "list-archive", "archived-at", "list-subscribe",
    ]

    /// Approval fields (Mailman's moderator password): removed everywhere.
    static let approval: Set<String> = ["approved", "approve", "x-approved", "x-approve"]

    /// The list fields common to every copy (all but List-Unsubscribe); `archive` is the
    /// archive's URL when the list keeps one (RFC 2369 §3.6 List-Archive).
    static func common(_ list: MailingList, archive: String? = nil) -> String {
        let address = list.postingAddress
        let owner = "\(address.localPart)\(ListAddress.ownerSuffix)@\(address.domain)"
        var out = ""
        // RFC 2919 §3: a phrase, then the identifier in angle brackets.
        out +=
            list.displayName.isEmpty
            ? "List-Id: <\(list.listID)>\r\n"
            : MessageComposer.field("List-Id", .addresses([(name: list.displayName, address: list.listID)]))
        // RFC 2369 §3.1 (the robot answers "help"), §3.3 (-join), §3.4 (List-Post: NO where
        // members do not post), §3.5 (List-Owner), §3.6 (List-Archive).
        let request = ListAddress.companion(address, ListAddress.requestSuffix)
        out += "List-Help: <mailto:\(request)?subject=help>\r\n"
        out += "List-Subscribe: <mailto:\(ListAddress.companion(address, ListAddress.joinSuffix))>\r\n"
        out += list.style == .announce ? "List-Post: NO\r\n" : "List-Post: <mailto:\(address)>\r\n"
        out += "List-Owner: <mailto:\(owner)>\r\n"
        if let archive { out += "List-Archive: <\(archive)>\r\n" }
        out += "X-BeenThere: \(address)\r\n"
        // RFC 3834 §5: auto-responders do not answer list mail.
        out += "Precedence: list\r\n"
        return out
    }

    /// RFC 8058 §3.1: the member's HTTPS unsubscribe URL and, when the copy is signed, the
    /// one-click marker.
    /// RFC 8058 §3.1 puts the HTTPS URL first; the `mailto:` of `-leave` (RFC 2369 §3.2) serves
    /// clients that only mail.
    static func unsubscribe(url: String, leave: MailAddress, oneClick: Bool) -> String {
        "List-Unsubscribe: <\(url)>, <mailto:\(leave)>\r\n"
            + (oneClick ? "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" : "")
    }

    /// A bulk copy's List-Unsubscribe: the `-leave` address alone (no per-member URL).
    static func unsubscribe(leave: MailAddress) -> String {
        "List-Unsubscribe: <mailto:\(leave)>\r\n"
    }
}
