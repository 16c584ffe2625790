import Core
import Directory
import Foundation
import MIME
import SQLKit
import Store

extension Webmail {
    /// Recipients of one message, at most.
    public static let maxRecipients = 100
    /// Attachments of one message, at most.
    public static let maxAttachments = 20

    /// A draft to start the compose page with: empty, a reply (to the sender, or to all), a
    /// forward (quoted, with the attachments; or the whole message attached), or a saved draft.
    public func startDraft(_ account: Account, mode: ComposeMode, folder: String?, uid: UInt32?) async throws -> Draft {
        let settings = try await settings(account)
        var draft = Draft()
        let signature = settings.signature.isEmpty ? "" : "\n\n-- \n" + settings.signature
        guard mode != .new, let folder, let uid else {
            draft.body = signature
            return draft
        }
        let (box, stored, message) = try await parsed(account, folder: folder, uid: uid)
        var view = MessageView(folder: folder, uid: uid, flags: [], message: message, preferHTML: false)
        // A message without a Date field is quoted with its arrival time.
        if view.date.isEmpty { view.date = MessageDate.rfc5322(secondsSince1970: stored.internalDate) }
        switch mode {
        case .new: break
        case .reply, .all:
            let target = view.replyTo.isEmpty ? view.from : view.replyTo
            draft.to = Self.addressText(target)
            if mode == .all {
                // Replying to all leaves out the account itself and whoever is answered already.
                let skip = Set(target.map { $0.address.lowercased() } + [account.address.lowercased()])
                draft.to = Self.addressText(target + view.to.filter { !skip.contains($0.address.lowercased()) })
                draft.cc = Self.addressText(view.cc.filter { !skip.contains($0.address.lowercased()) })
            }
            draft.subject = Self.prefixed("Re:", view.subject)
            draft.inReplyTo = view.messageID
            draft.references = Array((view.references + (view.messageID.map { [$0] } ?? [])).suffix(20))
            let who = view.from.first.map { $0.name.isEmpty ? $0.address : $0.name } ?? "someone"
            let quoted = Self.readableText(message).split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
            draft.body = signature + "\n\nOn \(view.date), \(who) wrote:\n" + quoted
            draft.origin = Draft.Origin(folder: folder, uid: uid, kind: .reply)
        case .forward:
            draft.subject = Self.prefixed("Fwd:", view.subject)
            var block = "\n\n---------- Forwarded message ----------\n"
            block += "From: \(Self.addressText(view.from))\nDate: \(view.date)\nSubject: \(view.subject)\n"
            block += "To: \(Self.addressText(view.to))\n"
            if !view.cc.isEmpty { block += "Cc: \(Self.addressText(view.cc))\n" }
            draft.body = signature + block + "\n" + Self.readableText(message)
            draft.kept = view.attachments.filter { !$0.isInline }.map {
                KeptPart(folder: folder, uid: uid, part: $0.part, filename: $0.filename, mimeType: $0.mimeType)
            }
            draft.origin = Draft.Origin(folder: folder, uid: uid, kind: .forward)
        case .attach:
            draft.subject = Self.prefixed("Fwd:", view.subject)
            draft.body = signature
            let name = (view.subject.isEmpty ? "message" : String(view.subject.prefix(60))) + ".eml"
            draft.kept = [KeptPart(folder: folder, uid: uid, part: "", filename: name, mimeType: "message/rfc822")]
            draft.origin = Draft.Origin(folder: folder, uid: uid, kind: .forward)
        case .draft:
            draft = Self.draft(from: message, folder: folder, uid: uid, view: view)
            // Saving or sending replaces the draft only when it is one of the Drafts folder's: a copy
            // elsewhere (Trash) stays where it is.
            if box.specialUse != .drafts { draft.draftUID = nil }
        }
        return draft
    }

    /// The text a reply quotes and a forward shows: the first plain text part, else the first HTML
    /// part as text.
    static func readableText(_ message: MIMEMessage) -> String {
        var plain: String?
        var html: String?
        func visit(_ entity: MIMEEntity) {
            switch entity.content {
            case .multipart(let multipart): for part in multipart.parts { visit(part) }
            case .message: break
            case .single:
                guard entity.contentType.isText, entity.contentDisposition?.type.lowercased() != "attachment" else { return }
                if entity.contentType.subtype == "plain", plain == nil { plain = message.decodedText(of: entity) }
                if entity.contentType.subtype == "html", html == nil { html = message.plainText(of: entity) }
            }
        }
        visit(message.root)
        return String((plain ?? html ?? "").replacingOccurrences(of: "\r\n", with: "\n").prefix(1_000_000))
    }

    static func prefixed(_ prefix: String, _ subject: String) -> String {
        subject.lowercased().hasPrefix(prefix.lowercased()) ? subject : prefix + " " + subject
    }

    /// Addresses as the form shows them: `Name <address>`, the name quoted when it holds a character
    /// that would end it (RFC 5322 §3.2.3 specials), so the list reads back the same.
    static func addressText(_ list: [MessageAddress]) -> String {
        list.map { entry in
            guard !entry.name.isEmpty else { return entry.address }
            let specials = "()<>[]:;@\\,.\""
            let name =
                entry.name.contains(where: { specials.contains($0) })
                ? "\"" + entry.name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
                : entry.name
            return "\(name) <\(entry.address)>"
        }.joined(separator: ", ")
    }

    // MARK: Sending and saving

    /// Sends the draft through `sender`. Only when the pipeline accepted it: a copy goes to Sent,
    /// the original gets `\Answered` or `$Forwarded`, the saved draft goes, and the recipients
    /// are remembered for completion. A refusal changes nothing.
    public func send(_ account: Account, _ draft: Draft, clientIP: String, via sender: any WebmailSending) async throws
        -> SendOutcome
    {
        let draft = try await resolvingKept(account, draft, maxBytes: sender.maxMessageBytes)
        let settings = try await settings(account)
        let recipients = try Self.recipients(draft)
        guard !recipients.all.isEmpty else { throw WebmailError.invalid("Add at least one recipient.") }
        let date = UnixTime.now()
        let messageID = Self.newMessageID(account)
        let outgoing = Self.compose(account, draft, settings, date: date, messageID: messageID, includeBcc: false)
        guard outgoing.count <= sender.maxMessageBytes else {
            throw WebmailError.invalid(
                "The message with its attachments is \(Self.megabytes(outgoing.count)); this site accepts at most \(Self.megabytes(sender.maxMessageBytes))."
            )
        }
        let outcome = await sender.send(
            OutgoingMessage(reversePath: account.address, recipients: recipients.all.map(\.address), bytes: outgoing),
            account: account, clientIP: clientIP)
        guard case .accepted = outcome else { return outcome }
        // The copy keeps Bcc, so the sender can see whom it went to.
        let copy = Self.compose(account, draft, settings, date: date, messageID: messageID, includeBcc: true)
        do {
            if let sent = try await store.mailboxName(accountID: account.id, specialUse: .sent) {
                try await store.append(accountID: account.id, mailbox: sent, data: copy, flags: ["\\Seen"], enforceQuota: false)
            }
            if let origin = draft.origin {
                try? await mark(
                    account, folder: origin.folder, uid: origin.uid, flag: origin.kind == .reply ? "\\Answered" : "$Forwarded")
            }
            if let old = draft.draftUID { try await discardDraft(account, uid: old) }
            try await remember(account, recipients.all)
        } catch {
            // Sent already: what follows is bookkeeping, never a reason to say it was not.
            logger.warning("after sending from webmail", metadata: ["error": "\(String(reflecting: error))"])
        }
        return outcome
    }

    /// Saves the draft in Drafts (`\Draft \Seen`), replacing the draft it was resumed from;
    /// returns its new UID.
    /// `maxBytes` bounds the draft with its attachments (the sending limit, so it can be sent).
    public func saveDraft(_ account: Account, _ draft: Draft, maxBytes: Int = WebmailLimits.draftBytes) async throws -> UInt32 {
        let draft = try await resolvingKept(account, draft, maxBytes: maxBytes)
        let settings = try await settings(account)
        _ = try Self.recipients(draft)
        guard let drafts = try await store.mailboxName(accountID: account.id, specialUse: .drafts) else {
            throw WebmailError.invalid("This account has no Drafts folder.")
        }
        var bytes = Self.compose(
            account, draft, settings, date: UnixTime.now(), messageID: Self.newMessageID(account), includeBcc: true)
        if let origin = draft.origin {
            // Where a resumed draft came from, so that sending it later marks the original.
            let field =
                "X-Posta-Draft-Origin: \(origin.kind.rawValue) \(origin.uid) \(origin.folder.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "INBOX")\r\n"
            bytes = Array(field.utf8) + bytes
        }
        let result = try await store.append(accountID: account.id, mailbox: drafts, data: bytes, flags: ["\\Draft", "\\Seen"])
        if let old = draft.draftUID { try await discardDraft(account, uid: old) }
        return result.uid
    }

    /// The draft with its kept parts read into attachments (the whole message for an empty part;
    /// a part of an attached message is its body as stored, RFC 2046 §5.2.1).
    /// What the parts would weigh is checked first, from the index (a part weighs at most its
    /// message), so references cannot make one request read more than `maxBytes`.
    func resolvingKept(_ account: Account, _ draft: Draft, maxBytes: Int) async throws -> Draft {
        var draft = draft
        var seen = Set<KeptPart>()
        let kept = draft.kept.filter { seen.insert($0).inserted }
        draft.kept = []
        var total = draft.attachments.reduce(0) { $0 + $1.bytes.count } + draft.body.utf8.count
        for piece in kept {
            let (_, stored) = try await stored(account, folder: piece.folder, uid: piece.uid)
            total += Int(clamping: stored.size)
        }
        guard total <= maxBytes else {
            throw WebmailError.invalid(
                "The message with its attachments is \(Self.megabytes(total)); this site accepts at most \(Self.megabytes(maxBytes))."
            )
        }
        for piece in kept {
            let bytes: [UInt8]
            if piece.part.isEmpty {
                // A message forwarded whole never shows whom its sender sent it to blind (RFC 5322 §3.6.3).
                bytes = Self.withoutBcc(try await source(account, folder: piece.folder, uid: piece.uid))
            } else {
                let (_, _, message) = try await parsed(account, folder: piece.folder, uid: piece.uid)
                guard let number = Self.partNumber(piece.part), let entity = message.entity(at: number) else {
                    throw WebmailError.noSuchPart(piece.part)
                }
                if entity.contentType.isEncapsulatedMessage, entity.transferEncoding.isIdentity {
                    bytes = Array(message.bytes[entity.bodyRange])
                } else {
                    guard let decoded = message.decodedBody(of: entity) else { throw WebmailError.noSuchPart(piece.part) }
                    bytes = decoded
                }
            }
            draft.attachments.append(DraftAttachment(filename: piece.filename, mimeType: piece.mimeType, bytes: bytes))
        }
        guard draft.attachments.count <= Self.maxAttachments else {
            throw WebmailError.invalid("At most \(Self.maxAttachments) attachments.")
        }
        return draft
    }

    /// A message without its Bcc fields.
    static func withoutBcc(_ bytes: [UInt8]) -> [UInt8] {
        let message = MIMEMessage(bytes)
        let ranges = message.header.fields(named: "Bcc").map(\.range).sorted { $0.lowerBound > $1.lowerBound }
        var out = bytes
        for range in ranges { out.removeSubrange(range) }
        return out
    }

    /// The name of the account's Drafts folder, if it has one.
    public func draftsFolder(_ account: Account) async throws -> String? {
        try await store.mailboxName(accountID: account.id, specialUse: .drafts)
    }

    /// Removes a saved draft (after sending it, or when saved again).
    func discardDraft(_ account: Account, uid: UInt32) async throws {
        guard let drafts = try await store.mailboxName(accountID: account.id, specialUse: .drafts),
            let box = try await store.mailbox(accountID: account.id, name: drafts)
        else { return }
        // Only a draft: a UID from the form must not remove another message.
        guard let message = try await store.messages(mailboxID: box.id, uids: [uid]).first,
            message.flags.contains(where: { $0.lowercased() == "\\draft" })
        else { return }
        try await store.expunge(mailboxID: box.id, uids: [uid])
    }

    /// The draft a saved draft message holds.
    static func draft(from message: MIMEMessage, folder: String, uid: UInt32, view: MessageView) -> Draft {
        var draft = Draft()
        draft.to = addressText(view.to)
        draft.cc = addressText(view.cc)
        draft.bcc = addressText(MessageView.addresses(message.header, "Bcc"))
        draft.subject = view.subject
        draft.inReplyTo = HeaderSummary.messageIDs(message.header["In-Reply-To"]).first
        draft.references = HeaderSummary.messageIDs(message.header["References"])
        draft.draftUID = uid
        var text: String?
        func visit(_ entity: MIMEEntity, _ number: [Int]) {
            switch entity.content {
            case .multipart(let multipart):
                for (index, part) in multipart.parts.enumerated() { visit(part, number + [index + 1]) }
            case .message, .single:
                if text == nil, entity.contentType.isText, entity.contentType.subtype == "plain",
                    entity.contentDisposition?.type.lowercased() != "attachment"
                {
                    text = message.decodedText(of: entity)
                } else {
                    draft.kept.append(
                        KeptPart(
                            folder: folder, uid: uid, part: MessageView.partName(number),
                            filename: messagePart(entity, bytes: [], number: number).filename,
                            mimeType: entity.contentType.mimeType))
                }
            }
        }
        visit(message.root, [])
        draft.body = (text ?? "").replacingOccurrences(of: "\r\n", with: "\n")
        if let origin = message.header["X-Posta-Draft-Origin"] {
            let words = origin.split(separator: " ")
            if words.count == 3, let kind = Draft.Origin.Kind(rawValue: String(words[0])), let uid = UInt32(words[1]) {
                draft.origin = Draft.Origin(folder: String(words[2]).removingPercentEncoding ?? "INBOX", uid: uid, kind: kind)
            }
        }
        return draft
    }

    // MARK: The message

    /// The To, Cc and Bcc addresses (each address once), or why they cannot be used.
    static func recipients(_ draft: Draft) throws -> (
        to: [MessageAddress], cc: [MessageAddress], bcc: [MessageAddress], all: [MessageAddress]
    ) {
        var seen = Set<String>()
        var all: [MessageAddress] = []
        func parse(_ text: String, _ label: String) throws -> [MessageAddress] {
            let list = EnvelopeAddress.parseList(Array(text.utf8))
            var out: [MessageAddress] = []
            for address in list where !address.isGroupStart && !address.isGroupEnd {
                guard let spec = address.addressSpec, (try? MailAddress(parsing: spec)) != nil else {
                    throw WebmailError.invalid("\(label): \"\(address.mailbox ?? text)\" is not a mail address.")
                }
                let entry = MessageAddress(
                    name: address.name.map { HeaderSummary.clean(EncodedWord.decode($0)) } ?? "", address: spec)
                out.append(entry)
                if seen.insert(spec.lowercased()).inserted { all.append(entry) }
            }
            let typed = text.split(separator: ",").filter { !$0.allSatisfy { $0 == " " } }.count
            if out.count < typed {
                throw WebmailError.invalid("\(label): some of the addresses could not be read. Separate them with commas.")
            }
            return out
        }
        let to = try parse(draft.to, "To")
        let cc = try parse(draft.cc, "Cc")
        let bcc = try parse(draft.bcc, "Bcc")
        guard all.count <= maxRecipients else { throw WebmailError.invalid("At most \(maxRecipients) recipients.") }
        return (to, cc, bcc, all)
    }

    /// The message's bytes: header fields (RFC 5322 §3.6), the text, the attachments.
    static func compose(
        _ account: Account, _ draft: Draft, _ settings: WebmailSettings, date: Int64, messageID: String, includeBcc: Bool
    ) -> [UInt8] {
        let recipients = (try? recipients(draft)) ?? (to: [], cc: [], bcc: [], all: [])
        var composer = MessageComposer()
        composer.fields.append(("Date", .raw(MessageDate.rfc5322(secondsSince1970: date))))
        let name = settings.displayName.isEmpty ? account.displayName : settings.displayName
        composer.fields.append(("From", .addresses([(name, account.address)])))
        if !recipients.to.isEmpty { composer.fields.append(("To", .addresses(recipients.to.map { ($0.name, $0.address) }))) }
        if !recipients.cc.isEmpty { composer.fields.append(("Cc", .addresses(recipients.cc.map { ($0.name, $0.address) }))) }
        if includeBcc, !recipients.bcc.isEmpty {
            composer.fields.append(("Bcc", .addresses(recipients.bcc.map { ($0.name, $0.address) })))
        }
        if !settings.replyTo.isEmpty { composer.fields.append(("Reply-To", .addresses([("", settings.replyTo)]))) }
        composer.fields.append(("Subject", .text(draft.subject)))
        composer.fields.append(("Message-ID", .raw(messageID)))
        if let inReplyTo = draft.inReplyTo { composer.fields.append(("In-Reply-To", .raw(inReplyTo))) }
        if !draft.references.isEmpty { composer.fields.append(("References", .raw(draft.references.joined(separator: " ")))) }
        composer.text = draft.body
        composer.attachments = draft.attachments
        return composer.bytes()
    }

    /// `<random@domain>` (RFC 5322 §3.6.4), the domain of the account's address.
    static func newMessageID(_ account: Account) -> String {
        let domain = account.address.split(separator: "@").last.map(String.init) ?? "localhost"
        return "<" + UUID().uuidString.lowercased() + "@" + domain + ">"
    }

    static func megabytes(_ bytes: Int) -> String {
        let value = Double(bytes) / 1_048_576
        return value >= 10 ? "\(Int(value.rounded())) MB" : "\((value * 10).rounded() / 10) MB"
    }
}
