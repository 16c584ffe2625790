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

    /// A text/html part sanitised on the server: remote images and CSS are left out unless
    /// `showRemote` or the sender is one the user trusts. `cid:` images (RFC 2392) of the message
    /// become `data:` URLs, so the sandboxed frame, which has no origin and sends no cookie, needs
    /// no request to show them.
    public func html(_ account: Account, folder: String, uid: UInt32, part: String, showRemote: Bool) async throws
        -> SafeHTMLPart
    {
        let (_, _, message) = try await parsed(account, folder: folder, uid: uid)
        guard let number = Self.partNumber(part), let entity = message.entity(at: number), entity.contentType.isText,
            entity.contentType.subtype == "html", let text = message.decodedText(of: entity)
        else { throw WebmailError.noSuchPart(part) }
        let sender = MessageView.addresses(message.header, "From").first?.address ?? ""
        var remote = showRemote
        if !remote { remote = try await trustsRemoteContent(account, from: sender) }
        var options = HTMLSanitizer.Options()
        options.allowRemoteContent = remote
        let images = Self.inlineImages(message)
        options.inlineImageURL = { images[$0] }
        return SafeHTMLPart(sanitized: HTMLSanitizer(options: options).sanitize(text), remoteAllowed: remote)
    }

    /// The message's images with a Content-ID, as `data:` URLs by content-id.
    static func inlineImages(_ message: MIMEMessage) -> [String: String] {
        var images: [String: String] = [:]
        func visit(_ entity: MIMEEntity) {
            switch entity.content {
            case .multipart(let multipart): for part in multipart.parts { visit(part) }
            case .message: break
            case .single:
                let type = entity.contentType.mimeType
                guard inlineImageTypes.contains(type), let id = MessageView.bareContentID(entity.contentID),
                    images[id] == nil, let bytes = message.decodedBody(of: entity)
                else { return }
                images[id] = "data:\(type);base64," + Data(bytes).base64EncodedString()
            }
        }
        visit(message.root)
        return images
    }
}
