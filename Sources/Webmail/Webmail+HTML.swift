import Core
import Directory
import Foundation
import HTML
import MIME

/// An HTML part made safe to show (`HTMLSanitizer`), and whether remote content was left out.
public struct SafeHTMLPart: Sendable {
    public var sanitized: SanitizedHTML
    /// Remote content was loaded because the user asked for it or trusts the sender.
    public var remoteAllowed: Bool
}

extension Webmail {
    /// Image types an HTML part may show inline (`cid:`); SVG is not among them: it can carry script.
    public static let inlineImageTypes: Set<String> = ["image/png", "image/gif", "image/jpeg", "image/webp"]

    /// Bytes of `cid:` images one HTML part may inline as `data:` URLs.
    public static let maxInlineImageBytes = 16 << 20

    /// A text/html part sanitised on the server: remote images and CSS are left out unless
    /// `showRemote` or the sender is one the user trusts. The `cid:` images (RFC 2392) it refers to
    /// become `data:` URLs, so the sandboxed frame, which has no origin and sends no cookie, needs
    /// no request to show them.
    public func html(_ account: Account, folder: String, uid: UInt32, part: String, showRemote: Bool) async throws
        -> SafeHTMLPart
    {
        let (_, stored, message) = try await parsed(account, folder: folder, uid: uid)
        let remote = try await remoteAllowed(account, message, asked: showRemote)
        guard let sanitized = sanitize(stored, message, part: part, remote: remote) else { throw WebmailError.noSuchPart(part) }
        return SafeHTMLPart(sanitized: sanitized, remoteAllowed: remote)
    }

    /// A text/html part of a stored message sanitised (once for the page and its frame), nil when
    /// the part is not one.
    func sanitize(_ stored: StoredMessage, _ message: MIMEMessage, part: String, remote: Bool) -> SanitizedHTML? {
        guard let text = Self.htmlText(message, part: part) else { return nil }
        return sanitizedParts.value(SanitizedParts.Key(path: stored.path, part: part, remote: remote)) {
            Self.sanitizer(remote: remote, images: Self.inlineImages(message, referencedBy: text)).sanitize(text)
        }
    }

    /// The decoded text of a text/html part, by part number.
    static func htmlText(_ message: MIMEMessage, part: String) -> String? {
        guard let number = partNumber(part), let entity = message.entity(at: number), entity.contentType.isText,
            entity.contentType.subtype == "html"
        else { return nil }
        return message.decodedText(of: entity)
    }

    /// Whether remote content is shown: asked for, or the sender is one the user trusts.
    func remoteAllowed(_ account: Account, _ message: MIMEMessage, asked: Bool) async throws -> Bool {
        if asked { return true }
        let sender = MessageView.addresses(message.header, "From").first?.address ?? ""
        return try await trustsRemoteContent(account, from: sender)
    }

    static func sanitizer(remote: Bool, images: [String: String]) -> HTMLSanitizer {
        var options = HTMLSanitizer.Options()
        options.allowRemoteContent = remote
        options.inlineImageURL = { images[$0] }
        return HTMLSanitizer(options: options)
    }

    /// The images with a Content-ID that `html` refers to as `cid:`, as `data:` URLs by content-id,
    /// within `maxInlineImageBytes` in all.
    static func inlineImages(_ message: MIMEMessage, referencedBy html: String) -> [String: String] {
        let wanted = Set(PartWalker.cids(in: html))
        guard !wanted.isEmpty else { return [:] }
        var images: [String: String] = [:]
        var budget = maxInlineImageBytes
        func visit(_ entity: MIMEEntity) {
            switch entity.content {
            case .multipart(let multipart): for part in multipart.parts { visit(part) }
            case .message: break
            case .single:
                let type = entity.contentType.mimeType
                guard inlineImageTypes.contains(type), let id = MessageView.bareContentID(entity.contentID),
                    wanted.contains(id), images[id] == nil, entity.bodyRange.count <= budget,
                    let bytes = message.decodedBody(of: entity)
                else { return }
                budget -= entity.bodyRange.count
                images[id] = "data:\(type);base64," + Data(bytes).base64EncodedString()
            }
        }
        visit(message.root)
        return images
    }
}
