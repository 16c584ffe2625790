import Hummingbird
import MIME
import NIOCore
import Webmail

/// The limits of the compose form's upload.
enum MailUpload {
    /// Text fields plus attachments plus the kept attachments of a resumed draft.
    static let maxParts = 64
    /// The text fields together (a reply quotes the whole message it answers).
    static let maxTextBytes = 4 << 20
}

/// Writing mail: the compose form (new, reply, reply all, forward, forward as attachment, a
/// saved draft), sending through the submission pipeline, saving drafts, address completion.
extension MailPages {
    func composeForm(_ call: MailCall) async throws -> Response {
        let mode = call.query["mode"].flatMap(ComposeMode.init(rawValue:)) ?? .new
        let draft = try await webmail.startDraft(
            call.account, mode: mode, folder: call.query["folder"], uid: call.query["uid"].flatMap(UInt32.init))
        var draftValue = draft
        if mode == .new, let to = call.query.text("to") { draftValue.to = to }
        return try await composePage(call, draftValue, status: .ok)
    }

    func composePage(_ call: MailCall, _ draft: Draft, status: HTTPResponse.Status, error: String? = nil) async throws
        -> Response
    {
        let frequent = try await webmail.frequentRecipients(call.account)
        var data: [String: Any] = [
            "to": draft.to, "cc": draft.cc, "bcc": draft.bcc, "subject": draft.subject, "body": draft.body,
            "showCopies": !draft.cc.isEmpty || !draft.bcc.isEmpty,
            "inReplyTo": draft.inReplyTo ?? "", "references": draft.references.joined(separator: " "),

            "originKind": draft.origin?.kind.rawValue ?? "", "originFolder": draft.origin?.folder ?? "",
            "originUID": draft.origin.map { String($0.uid) } ?? "",

            "frequent": frequent.map {
                ["address": $0.address, "label": $0.name.isEmpty ? $0.address : "\($0.name) <\($0.address)>"]
            },
            "canSend": sender != nil, "maxBytes": sender?.maxMessageBytes ?? 0,
            "maxSize": Format.bytes(Int64(sender?.maxMessageBytes ?? 0)),
        ]
        if let error { data["formError"] = error }
        data.merge(Self.keptContext(draft)) { $1 }
        return try await page(call, "mail_compose", title: "New message", current: nil, data, status: status)
    }

    func compose(_ call: MailCall) async throws -> Response {
        var draft = Draft()
        draft.to = call.form["to"] ?? ""
        draft.cc = call.form["cc"] ?? ""
        draft.bcc = call.form["bcc"] ?? ""
        draft.subject = call.form["subject"] ?? ""
        draft.body = (call.form["body"] ?? "").replacingCRLF()
        draft.inReplyTo = call.form.text("inReplyTo")
        draft.references = (call.form["references"] ?? "").split(separator: " ").map(String.init).filter {
            $0.hasPrefix("<") && $0.hasSuffix(">") && $0.count <= 998
        }.suffix(20).map { $0 }
        draft.draftUID = call.form["draft"].flatMap(UInt32.init)
        if let kind = call.form["originKind"].flatMap(Draft.Origin.Kind.init(rawValue:)),
            let uid = call.form["originUID"].flatMap(UInt32.init), let folder = call.form.text("originFolder")
        {
            draft.origin = Draft.Origin(folder: folder, uid: uid, kind: kind)
        }
        let removed = Set(call.form.all("remove"))
        for index in 0..<Webmail.maxAttachments where !removed.contains(String(index)) {
            guard let folder = call.form["keptFolder\(index)"], let uid = call.form["keptUID\(index)"].flatMap(UInt32.init) else {
                continue
            }
            draft.kept.append(
                KeptPart(
                    folder: folder, uid: uid, part: call.form["keptPart\(index)"] ?? "",
                    filename: String((call.form["keptName\(index)"] ?? "attachment").prefix(255)),
                    mimeType: call.form["keptType\(index)"] ?? ""))
        }
        for upload in call.form.uploads where upload.field == "attach" && !upload.bytes.isEmpty {
            draft.attachments.append(
                DraftAttachment(filename: Self.baseName(upload.filename), mimeType: upload.contentType, bytes: upload.bytes))
        }
        guard draft.attachments.count + draft.kept.count <= Webmail.maxAttachments else {
            return try await composePage(
                call, draft, status: .unprocessableContent, error: "At most \(Webmail.maxAttachments) attachments.")
        }
        do {
            switch call.form["action"] {
            case "save":
                let uid = try await webmail.saveDraft(
                    call.account, draft, maxBytes: sender?.maxMessageBytes ?? WebmailLimits.draftBytes)
                if call.form["autosave"] == "1" {
                    // The page swaps in the saved draft's state: its UID and its attachments by reference.
                    let drafts = try await webmail.draftsFolder(call.account) ?? "Drafts"
                    let saved = try await webmail.startDraft(call.account, mode: .draft, folder: drafts, uid: uid)
                    let fragment = templates.render("mail_kept", Self.keptContext(saved)) ?? ""
                    return ConsoleHTTP.html(fragment)
                }
                let drafts = try await webmail.draftsFolder(call.account) ?? "Drafts"
                return back(
                    call, .success, "Draft saved.", to: "/mail/compose?mode=draft&folder=\(FormData.encode(drafts))&uid=\(uid)")
            default:
                guard let sender else {
                    return try await composePage(
                        call, draft, status: .serviceUnavailable,
                        error: "This server cannot send mail from the web. Save the draft.")
                }
                switch try await webmail.send(call.account, draft, clientIP: call.clientIP, via: sender) {
                case .accepted:
                    return back(
                        call, .success, "Message sent.", to: draft.origin.map { MailViews.folderLink($0.folder) } ?? "/mail")
                case .refused(let why):
                    return try await reshow(call, draft, error: "Not sent: \(why)")
                }
            }
        } catch let error as WebmailError {
            guard case .invalid(let why) = error else { throw error }
            // An automatic save that cannot be done (a half-typed address) says so to the page's script.
            if call.form["autosave"] == "1" {
                return Response(
                    status: .unprocessableContent, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: why)))
            }
            return try await reshow(call, draft, error: why)
        }
    }

    /// The form again with why it was not sent. Files uploaded with it cannot be put back into
    /// a file field, so the message is saved as a draft first (they are kept by reference).
    private func reshow(_ call: MailCall, _ draft: Draft, error: String) async throws -> Response {
        if !draft.attachments.isEmpty,
            let uid = try? await webmail.saveDraft(
                call.account, draft, maxBytes: sender?.maxMessageBytes ?? WebmailLimits.draftBytes),
            let drafts = try await webmail.draftsFolder(call.account)
        {
            let saved = try await webmail.startDraft(call.account, mode: .draft, folder: drafts, uid: uid)
            return try await composePage(
                call, saved, status: .unprocessableContent,
                error: error + " The message and its attachments were saved in Drafts.")
        }
        return try await composePage(call, draft, status: .unprocessableContent, error: error)
    }

    /// The draft's UID and its attachments of stored messages (a forward's, a resumed draft's):
    /// they travel in the form by reference (folder, UID, part), so nothing is uploaded again or
    /// lost across a re-shown form.
    static func keptContext(_ draft: Draft) -> [String: Any] {
        [
            "draftUID": draft.draftUID.map { String($0) } ?? "", "hasKept": !draft.kept.isEmpty,
            "kept": draft.kept.enumerated().map { index, kept in
                [
                    "index": index, "name": kept.filename, "type": kept.mimeType, "folder": kept.folder,
                    "uid": Int(kept.uid), "part": kept.part,
                ] as [String: Any]
            },
        ]
    }

    /// Address completion for the recipient fields (`mail.js`): JSON `[{"name","address"}]`.
    func addresses(_ call: MailCall) async throws -> Response {
        let entries = try await webmail.completions(call.account, prefix: call.query["q"] ?? "")
        let json =
            "["
            + entries.map { "{\"name\":\(Self.jsonString($0.name)),\"address\":\(Self.jsonString($0.address))}" }
            .joined(separator: ",") + "]"
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// A JSON string (RFC 8259 §7), every control character and `<` escaped.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "<": out += "\\u003c"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + ExtendedValue.hexDigits(UInt8(scalar.value)).lowercased()
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The last component of an uploaded file's name (some browsers send a path).
    static func baseName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        return last.isEmpty ? "attachment" : String(last.prefix(255))
    }
}
