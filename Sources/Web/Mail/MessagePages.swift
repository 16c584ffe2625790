import Core
import Hummingbird
import NIOCore
import Webmail

/// Reading a message: the page, the sanitised HTML in its frame, inline images, attachments and
/// the raw source.
extension MailPages {
    func message(_ call: MailCall) async throws -> Response {
        let (folder, uid) = try Self.messageParameters(call.query)
        let showRemote = call.query["remote"] == "1"
        let view = try await webmail.read(call.account, folder: folder, uid: uid, showRemote: showRemote)
        let base = "folder=\(FormData.encode(view.folder))&uid=\(uid)"
        let bodies: [[String: Any]] = view.bodies.map { body in
            switch body {
            case .plain(let text): return ["plain": true, "runs": MailViews.plainText(text)]
            case .html(let part):
                return [
                    "html": true,
                    "frame": "/mail/message/html?\(base)&part=\(FormData.encode(part))"
                        + (view.remoteContentAllowed ? "&remote=1" : ""),
                ]
            }
        }
        let sender = view.from.first?.address ?? ""
        let attachments: [[String: Any]] = view.attachments.filter { !$0.isInline }.map { attachment in
            [
                "name": attachment.filename, "type": attachment.mimeType, "size": Format.bytes(attachment.size),
                "link": "/mail/message/part?\(base)&part=\(FormData.encode(attachment.part))",
            ]
        }
        let flagged = view.flags.contains { $0.lowercased() == "\\flagged" }
        let data: [String: Any] = [
            "folder": view.folder, "uid": Int(uid), "subject": view.subject.isEmpty ? "(no subject)" : view.subject,
            "from": MailViews.addresses(view.from), "to": MailViews.addresses(view.to), "cc": MailViews.addresses(view.cc),
            "hasCc": !view.cc.isEmpty, "replyTo": MailViews.addresses(view.replyTo), "hasReplyTo": !view.replyTo.isEmpty,
            "date": view.sentAt.map { Format.time($0) } ?? (view.date.isEmpty ? Format.time(view.arrivedAt) : view.date),
            "bodies": bodies, "noBody": bodies.isEmpty,
            "attachments": attachments, "hasAttachments": !attachments.isEmpty, "incomplete": view.isIncomplete,
            "blocked": view.remoteContentBlocked, "sender": sender, "hasSender": !sender.isEmpty,
            "showRemoteLink": "/mail/message?\(base)&remote=1", "source": "/mail/message/source?\(base)",
            "download": "/mail/message/source?\(base)&download=1", "flagged": flagged,
            "reply": "/mail/compose?mode=reply&\(base)", "replyAll": "/mail/compose?mode=all&\(base)",
            "forward": "/mail/compose?mode=forward&\(base)", "forwardAttached": "/mail/compose?mode=attach&\(base)",
            "back": "/mail/message?\(base)", "folderLink": MailViews.folderLink(view.folder),
            "size": Format.bytes(view.size),
            "isDraft": view.flags.contains { $0.lowercased() == "\\draft" },
            "editDraft": "/mail/compose?mode=draft&\(base)",
        ]
        return try await page(
            call, "mail_message", title: view.subject.isEmpty ? "(no subject)" : view.subject, current: view.folder, data)
    }

    /// The sanitised HTML part as a document of its own, for the reading page's sandboxed frame.
    func htmlFrame(_ call: MailCall) async throws -> Response {
        let (folder, uid) = try Self.messageParameters(call.query)
        let part = call.query["part"] ?? "1"
        let safe = try await webmail.html(
            call.account, folder: folder, uid: uid, part: part, showRemote: call.query["remote"] == "1")
        let document = templates.render("mail_frame", ["body": safe.sanitized.html]) ?? ""
        var response = ConsoleHTTP.html(document)
        response.headers[.contentSecurityPolicy] = MailHTTP.framePolicy(remote: safe.remoteAllowed)
        return response
    }

    /// An attachment, always as a download (`Content-Disposition: attachment`, the name in RFC
    /// 6266/8187 form) and never as a page of this site: its bytes are `application/octet-stream`
    /// unless they are an image, so an HTML or SVG attachment cannot run here.
    func attachment(_ call: MailCall) async throws -> Response {
        let (folder, uid) = try Self.messageParameters(call.query)
        let part = try await webmail.part(call.account, folder: folder, uid: uid, part: call.query["part"] ?? "")
        let type = Webmail.inlineImageTypes.contains(part.mimeType) ? part.mimeType : "application/octet-stream"
        var response = Response(
            status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: part.bytes)))
        response.headers[.contentDisposition] = MailHTTP.attachmentDisposition(part.filename)
        response.headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
        return response
    }

    /// The raw message: as text, or with `download=1` as a `.eml` file.
    func source(_ call: MailCall) async throws -> Response {
        let (folder, uid) = try Self.messageParameters(call.query)
        let bytes = try await webmail.source(call.account, folder: folder, uid: uid)
        let download = call.query["download"] == "1"
        var response = Response(
            status: .ok, headers: [.contentType: download ? "message/rfc822" : "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        if download { response.headers[.contentDisposition] = MailHTTP.attachmentDisposition("message-\(uid).eml") }
        response.headers[.contentSecurityPolicy] = "default-src 'none'; sandbox"
        return response
    }

    static func messageParameters(_ query: FormData) throws -> (String, UInt32) {
        guard let uid = query["uid"].flatMap(UInt32.init), uid > 0 else { throw WebmailError.noSuchMessage(0) }
        return (query["folder"] ?? "INBOX", uid)
    }
}
