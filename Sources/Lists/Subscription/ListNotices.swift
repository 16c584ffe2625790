import Core
import Foundation
import MIME
import Queue

/// A held post, as a moderator notice shows it.
struct HeldNotice: Sendable {
    var post: [UInt8]
    var reason: String
    var sender: String
    var subject: String
}

/// The messages a list sends on its own: confirmation requests, moderator notices, welcomes,
/// goodbyes and command results. Each is `Auto-Submitted: auto-replied` (RFC 3834 §5) from
/// one of the list's companion addresses, so no auto-responder answers it and a reply reaches
/// the right handler.
struct ListNotices: Sendable {
    var list: MailingList
    var hostname: String
    var webBase: String

    var name: String { list.displayName.isEmpty ? list.address : list.displayName }
    func address(_ suffix: String, _ detail: String? = nil) -> String {
        ListAddress.companion(list.postingAddress, suffix, detail: detail).description
    }

    /// The web page where `cookie` is confirmed (GET shows it, POST carries it out).
    func confirmURL(_ cookie: String) -> String { "\(webBase)/lists/confirm/\(cookie)" }

    /// To an address asked to confirm a subscription, an unsubscription or an invitation: a
    /// reply (to `-confirm+COOKIE`, with the cookie in the Subject for `-request` too) or the
    /// link confirms.
    func confirmation(_ request: PendingRequest) -> [UInt8] {
        let what: String
        switch request.kind {
        case .unsubscribe, .approveLeave: what = "leave \(name) (\(list.address))"
        case .invite: what = "join \(name) (\(list.address)); an owner of the list invited you"
        default: what = "join \(name) (\(list.address))"
        }
        let confirm = address(ListAddress.confirmSuffix, request.cookie)
        var composer = base(from: (name, confirm), to: request.address, subject: "confirm \(request.cookie)")
        composer.fields.append(("Reply-To", .addresses([(name: "", address: confirm)])))
        composer.text = """
            Someone, probably you, asked for \(request.address) to \(what).

            To confirm, reply to this message (the text of the reply does not matter), or open

                \(confirmURL(request.cookie))

            If you did not ask for this, ignore this message: nothing changes. The request
            expires in \(Self.days(request.expiresAt - request.createdAt)).

            """
        return composer.bytes()
    }

    /// To the owners and moderators: a request or a held post waits for them. Replying approves;
    /// a reply starting with `reject REASON` or `discard` does that; the link shows the buttons.
    func moderatorRequest(_ request: PendingRequest, owner: String, held: HeldNotice?) -> [UInt8] {
        let confirm = address(ListAddress.confirmSuffix, request.cookie)
        let topic: String
        let detail: String
        switch request.kind {
        case .held:
            topic = "post from \(held?.sender ?? "unknown") held"
            detail = """
                A post to \(list.address) waits for a moderator.

                    From:    \(Self.printable(held?.sender ?? ""))
                    Subject: \(Self.printable(held?.subject ?? ""))
                    Reason:  \(Self.printable(held?.reason ?? ""))
                """
        case .approveLeave:
            topic = "unsubscription request from \(request.address)"
            detail = "\(request.address) asks to leave \(list.address)."
        default:
            topic = "subscription request from \(request.address)"
            detail = "\(request.address) asks to join \(list.address)."
        }
        var composer = base(
            from: ("\(name) owners", address(ListAddress.ownerSuffix)), to: owner,
            subject: "\(name): \(topic) (confirm \(request.cookie))")
        composer.fields.append(("Reply-To", .addresses([(name: "", address: confirm)])))
        composer.text = """
            \(detail)

            To approve, reply to this message. To refuse, reply with "reject" and a reason as
            the first line (the author is told), or "discard" (nobody is told). Or decide at

                \(confirmURL(request.cookie))

            """
        if let held {
            // The post itself, whole when small; its header alone when large.
            let limit = 256 * 1024
            composer.attachments.append(
                held.post.count <= limit
                    ? MessageComposer.Attachment(filename: "post.eml", mimeType: "message/rfc822", bytes: held.post)
                    : MessageComposer.Attachment(
                        filename: "post-header.txt", mimeType: "text/rfc822-headers",
                        bytes: Array(held.post.prefix(upTo: MIMEMessage(held.post).root.bodyRange.lowerBound))))
        }
        return composer.bytes()
    }

    /// Welcome, goodbye, a declined request, or the results of `-request` commands.
    func plain(to recipient: String, subject: String, text: String) -> [UInt8] {
        var composer = base(from: (name, address(ListAddress.requestSuffix)), to: recipient, subject: subject)
        composer.text = text
        return composer.bytes()
    }

    /// To a new member; `options` is its options page (`ListDeliverySettings.optionsURL`).
    func welcome(_ recipient: String, options: String) -> [UInt8] {
        plain(
            to: recipient, subject: "Welcome to \(name)",
            text: """
                \(recipient) is now a member of \(name) (\(list.address)).
                \(list.description.isEmpty ? "" : "\n" + list.description + "\n")
                To post, write to \(list.address)\(list.style == .announce ? " (only the owners post to this list)" : "").
                To leave, use the unsubscribe link of any post, or write to \(address(ListAddress.leaveSuffix)).

                To get a digest instead of each post, or no mail for a while, change your options at

                    \(options)

                Keep this link to yourself: it works without a password.

                """)
    }

    /// To a member whose delivery the list stopped because its copies bounced: warning
    /// `number` of `of`; the link (or a reply) turns delivery back on, and so does the member's
    /// options page (`options`), which also offers a digest or leaving.
    func bounceWarning(_ request: PendingRequest, number: Int, of total: Int, options: String) -> [UInt8] {
        let confirm = address(ListAddress.confirmSuffix, request.cookie)
        var composer = base(
            from: (name, confirm), to: request.address,
            subject: "Your membership of \(name) is suspended (confirm \(request.cookie))")
        composer.fields.append(("Reply-To", .addresses([(name: "", address: confirm)])))
        composer.text = """
            Messages from \(list.address) to \(request.address) have been bouncing, so the list stopped
            sending them. This is warning \(number) of \(total): after the last one, a week from it, the
            address is removed from the list.

            To get the posts again, open

                \(confirmURL(request.cookie))

            or reply to this message. Your options page (delivery, digest, leaving the list) is

                \(options)

            """
        return composer.bytes()
    }

    /// To the owners: a member was removed after its bounce warnings.
    func removedForBounces(_ member: String, owner: String, warnings: Int) -> [UInt8] {
        var composer = base(
            from: ("\(name) owners", address(ListAddress.ownerSuffix)), to: owner,
            subject: "\(name): \(member) removed (bouncing)")
        composer.text = """
            \(member) was removed from \(list.address): its copies kept bouncing, delivery was stopped,
            and \(warnings) warning\(warnings == 1 ? "" : "s") went unanswered.

            """
        return composer.bytes()
    }

    func goodbye(_ recipient: String) -> [UInt8] {
        plain(
            to: recipient, subject: "You have left \(name)",
            text: "\(recipient) is no longer a member of \(name) (\(list.address)).\n")
    }

    func help(_ recipient: String) -> String {
        """
        Commands for \(list.address), sent to \(address(ListAddress.requestSuffix)) in the Subject or
        one per line of the text:

            subscribe          join the list (or write to \(address(ListAddress.joinSuffix)))
            unsubscribe        leave the list (or write to \(address(ListAddress.leaveSuffix)))
            confirm COOKIE     confirm a request
            help               this text

        The owners are at \(address(ListAddress.ownerSuffix)).

        """
    }

    private func base(from: (String, String), to recipient: String, subject: String) -> MessageComposer {
        var composer = MessageComposer()
        composer.fields = [
            ("From", .addresses([(name: from.0, address: from.1)])),
            ("To", .raw(recipient)),
            ("Subject", .text(subject)),
            ("Date", .raw(TraceHeaders.rfc5322Date(Date()))),
            ("Message-ID", .raw("<\(RandomToken.make(bytes: 12))@\(hostname)>")),
            ("Auto-Submitted", .raw("auto-replied")),
            ("List-Id", .raw("<\(list.listID)>")),
            ("Precedence", .raw("list")),
        ]
        return composer
    }

    static func days(_ seconds: Int64) -> String {
        let days = max(1, seconds / 86_400)
        return days == 1 ? "1 day" : "\(days) days"
    }

    /// Text from a hostile message, for a notice: control characters become spaces, 200 at most.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
