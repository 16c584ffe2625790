import Foundation
import MIME

/// A message as the reading page shows it: decoded headers, the text to show in order, and the
/// attachments.
public struct MessageView: Sendable {
    public var folder: String
    public var uid: UInt32
    public var flags: [String]
    public var from: [MessageAddress]
    public var to: [MessageAddress]
    public var cc: [MessageAddress]
    public var replyTo: [MessageAddress]
    /// The Date: field as written, and its instant when readable.
    public var date: String
    public var sentAt: Int64?
    public var subject: String
    public var messageID: String?
    /// The conversation fields of a reply to this message (RFC 5322 §3.6.4).
    public var references: [String]
    /// What to show, in order: plain text, and HTML parts (shown sanitised, in a frame).
    public var bodies: [MessageBody]
    public var attachments: [MessageAttachment]
    /// The parser gave up somewhere (depth, part count, header size): what it read is shown.
    public var isIncomplete: Bool
    public var size: Int64
    /// When it arrived (IMAP INTERNALDATE): shown when it has no readable Date field.
    public var arrivedAt: Int64 = 0
    /// The HTML parts had remote content that was left out.
    public var remoteContentBlocked = false
    /// Remote content is shown (asked for, or the sender is trusted).
    public var remoteContentAllowed = false

    /// HTML parts shown, at most; further ones are listed as attachments.
    public static let maxHTMLBodies = 10
}

/// One address of a header field, decoded.
public struct MessageAddress: Sendable, Hashable {
    public var name: String
    public var address: String
    /// `Name <address>`, or the address alone.
    public var display: String { name.isEmpty ? address : "\(name) <\(address)>" }
}

/// A part shown in the reading pane.
public enum MessageBody: Sendable, Hashable {
    case plain(String)
    /// A text/html part, by its part number (`1.2`); served sanitised by `Webmail.html`.
    case html(part: String)
}

/// A part offered for download (or shown inline as an image).
public struct MessageAttachment: Sendable, Hashable {
    /// IMAP part number (`2`, `1.3`).
    public var part: String
    /// The file name (RFC 2231 / RFC 2047 decoded), or one made from the type.
    public var filename: String
    public var mimeType: String
    /// Decoded size, estimated from the encoded one (base64 × 3/4).
    public var size: Int64
    public var contentID: String?
    /// Referenced from an HTML part as `cid:`: shown in the message, not listed.
    public var isInline: Bool
}

extension MessageView {
    /// Reads a parsed message into what the page shows.
    init(folder: String, uid: UInt32, flags: [String], message: MIMEMessage, preferHTML: Bool) {
        let header = message.header
        self.folder = folder
        self.uid = uid
        self.flags = flags
        from = Self.addresses(header, "From")
        to = Self.addresses(header, "To")
        cc = Self.addresses(header, "Cc")
        replyTo = Self.addresses(header, "Reply-To")
        date = header.field("Date").map { HeaderSummary.clean($0.decodedValue) } ?? ""
        sentAt = header["Date"].flatMap(MessageDate.init(parsing:))?.secondsSince1970
        subject = header.field("Subject").map { HeaderSummary.clean($0.decodedValue) } ?? ""
        messageID = HeaderSummary.messageIDs(header["Message-ID"]).first
        references = HeaderSummary.messageIDs(header["References"])
        if references.isEmpty { references = HeaderSummary.messageIDs(header["In-Reply-To"]) }
        isIncomplete = !message.exceededLimits.isEmpty
        size = Int64(message.bytes.count)
        var walker = PartWalker(message: message, preferHTML: preferHTML)
        walker.visit(message.root, number: [], inAlternative: false)
        bodies = walker.bodies
        let cids = Set(walker.htmlContentIDs)
        attachments = walker.attachments.map { attachment in
            var attachment = attachment
            attachment.isInline = attachment.contentID.map { cids.contains($0) } ?? false
            return attachment
        }
    }

    static func addresses(_ header: Header, _ name: String) -> [MessageAddress] {
        header.fields(named: name).flatMap { EnvelopeAddress.parseList($0.valueBytes) }.compactMap { address in
            guard let spec = address.addressSpec else { return nil }
            return MessageAddress(name: address.name.map { HeaderSummary.clean(EncodedWord.decode($0)) } ?? "", address: spec)
        }.prefix(200).map { $0 }
    }

    /// A part number as text: `1.2`; the top of a single-part message is `1` (RFC 9051 §6.4.5).
    static func partName(_ number: [Int]) -> String {
        number.isEmpty ? "1" : number.map(String.init).joined(separator: ".")
    }

    /// A `Content-ID` without its angle brackets.
    static func bareContentID(_ value: String?) -> String? {
        guard var id = value?.trimmingCharacters(in: .whitespaces), !id.isEmpty else { return nil }
        if id.hasPrefix("<") { id.removeFirst() }
        if id.hasSuffix(">") { id.removeLast() }
        return id.isEmpty ? nil : id
    }
}

/// The walk over the MIME tree that decides what is shown and what is an attachment: in
/// multipart/alternative the preferred form (HTML or plain text) of the parts the reader knows
/// (RFC 2046 §5.1.4: the last one it can show); in multipart/related the root only, the others
/// being the resources it refers to; elsewhere text parts that are not attachments are shown.
struct PartWalker {
    let message: MIMEMessage
    let preferHTML: Bool
    var bodies: [MessageBody] = []
    var attachments: [MessageAttachment] = []
    var htmlContentIDs: [String] = []
    var htmlShown = 0

    mutating func visit(_ entity: MIMEEntity, number: [Int], inAlternative: Bool) {
        switch entity.content {
        case .multipart(let multipart):
            let parts = multipart.parts.enumerated().map { (number + [$0.offset + 1], $0.element) }
            if entity.contentType.subtype == "alternative", let chosen = choose(parts) {
                visit(chosen.1, number: chosen.0, inAlternative: true)
            } else {
                for (number, part) in parts { visit(part, number: number, inAlternative: false) }
            }
        case .message, .single:
            let type = entity.contentType
            let disposition = entity.contentDisposition?.type.lowercased()
            let isAttachment = disposition == "attachment" || entity.filename != nil && disposition != "inline"
            let tooMany = type.subtype == "html" && htmlShown >= MessageView.maxHTMLBodies
            if type.isText, !isAttachment, !tooMany, type.subtype == "plain" || type.subtype == "html" {
                if type.subtype == "html" {
                    htmlShown += 1
                    bodies.append(.html(part: MessageView.partName(number)))
                    if let text = message.decodedText(of: entity) { htmlContentIDs += Self.cids(in: text) }
                } else {
                    bodies.append(.plain(message.decodedText(of: entity) ?? ""))
                }
                return
            }
            attachments.append(attachment(entity, number: number))
        }
    }

    /// The alternative to show: the last one of the preferred kind, else the last text one, else the last.
    private func choose(_ parts: [([Int], MIMEEntity)]) -> ([Int], MIMEEntity)? {
        let preferred = preferHTML ? "html" : "plain"
        if let match = parts.last(where: { $0.1.contentType.isText && $0.1.contentType.subtype == preferred }) { return match }
        if let related = parts.last(where: { $0.1.contentType.isMultipart }) { return related }
        return parts.last(where: { $0.1.contentType.isText }) ?? parts.last
    }

    private func attachment(_ entity: MIMEEntity, number: [Int]) -> MessageAttachment {
        let type = entity.contentType
        let encoded = Int64(entity.bodyRange.count)
        let size = entity.transferEncoding == .base64 ? encoded * 3 / 4 : encoded
        var name = (entity.filename ?? entity.attachmentNames.first).map { HeaderSummary.clean($0) } ?? ""
        if name.isEmpty {
            name = type.isEncapsulatedMessage ? "message.eml" : "part-\(MessageView.partName(number)).\(type.subtype)"
        }
        return MessageAttachment(
            part: MessageView.partName(number), filename: name, mimeType: type.mimeType, size: size,
            contentID: MessageView.bareContentID(entity.contentID), isInline: false)
    }

    /// The `cid:` references of an HTML text (RFC 2392), without the scheme.
    static func cids(in html: String) -> [String] {
        var ids: [String] = []
        var rest = Substring(html)
        while let range = rest.range(of: "cid:", options: []) {
            let tail = rest[range.upperBound...]
            let id = tail.prefix { !"\"' >)".contains($0) }
            if !id.isEmpty { ids.append(String(id).removingPercentEncoding ?? String(id)) }
            rest = tail
        }
        return ids
    }
}
