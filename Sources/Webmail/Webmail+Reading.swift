import Core
import Directory
import MIME
import SQLKit
import Store

/// A part's decoded content, to download or to show inline.
public struct MessagePart: Sendable {
    public var bytes: [UInt8]
    public var mimeType: String
    public var filename: String
}

extension Webmail {
    /// The largest message the reading page parses (larger: shown as its raw source and attachments list).
    public static let maxParsedBytes = 64 << 20

    /// One stored message of a folder, or `noSuchMessage`.
    func stored(_ account: Account, folder: String, uid: UInt32) async throws -> (MailboxInfo, StoredMessage) {
        let box = try await mailbox(account, folder)
        guard let message = try await store.messages(mailboxID: box.id, uids: [uid]).first else {
            throw WebmailError.noSuchMessage(uid)
        }
        return (box, message)
    }

    func parsed(_ account: Account, folder: String, uid: UInt32) async throws -> (MailboxInfo, StoredMessage, MIMEMessage) {
        let (box, stored) = try await stored(account, folder: folder, uid: uid)
        guard stored.size <= Self.maxParsedBytes else { throw WebmailError.invalid("This message is too large to show here.") }
        let bytes: [UInt8]
        do { bytes = try await MessageFileReader.readMessage(stored.path) } catch { throw WebmailError.noSuchMessage(uid) }
        return (box, stored, MIMEMessage(bytes))
    }

    /// A message for the reading page; opening it marks it read (`\Seen`, as an IMAP FETCH of
    /// BODY[] would, RFC 9051 §6.4.5).
    /// `showRemote`: the user asked for this message's remote content. The view says whether its
    /// HTML parts had remote content left out (each is sanitised here once, as the frame will be).
    public func read(_ account: Account, folder: String, uid: UInt32, preferHTML: Bool = true, showRemote: Bool = false)
        async throws -> MessageView
    {
        let (box, stored, message) = try await parsed(account, folder: folder, uid: uid)
        var flags = stored.flags
        if !flags.contains(where: { $0.lowercased() == "\\seen" }) {
            let result = try await store.storeFlags(mailboxID: box.id, uids: [uid], operation: .add, flags: ["\\Seen"])
            flags = result.messages.first?.flags ?? flags
        }
        var view = MessageView(folder: box.name, uid: uid, flags: flags, message: message, preferHTML: preferHTML)
        view.arrivedAt = stored.internalDate
        let htmlParts = view.bodies.compactMap { body -> String? in if case .html(let part) = body { part } else { nil } }
        if !htmlParts.isEmpty {
            let remote = try await remoteAllowed(account, message, asked: showRemote)
            view.remoteContentAllowed = remote
            if !remote {
                view.remoteContentBlocked = htmlParts.contains { part in
                    sanitize(stored, message, part: part, remote: false)?.blockedRemoteContent ?? false
                }
            }
        }
        return view
    }

    /// The raw message (the "view source" page and "download as .eml").
    public func source(_ account: Account, folder: String, uid: UInt32) async throws -> [UInt8] {
        let (_, stored) = try await stored(account, folder: folder, uid: uid)
        do { return try await MessageFileReader.readMessage(stored.path) } catch { throw WebmailError.noSuchMessage(uid) }
    }

    /// A part's content with its transfer encoding undone, by part number (`1.2`), or by Content-ID.
    public func part(_ account: Account, folder: String, uid: UInt32, part: String) async throws -> MessagePart {
        let (_, _, message) = try await parsed(account, folder: folder, uid: uid)
        guard let number = Self.partNumber(part), let entity = message.entity(at: number) else {
            throw WebmailError.noSuchPart(part)
        }
        switch entity.content {
        case .multipart: throw WebmailError.noSuchPart(part)
        case .message:
            // An attached message (RFC 2046 §5.2.1): its bytes as they are, to save as a .eml file.
            return Self.messagePart(entity, bytes: Array(message.bytes[entity.bodyRange]), number: number)
        case .single:
            guard let bytes = message.decodedBody(of: entity) else { throw WebmailError.noSuchPart(part) }
            return Self.messagePart(entity, bytes: bytes, number: number)
        }
    }

    static func messagePart(_ entity: MIMEEntity, bytes: [UInt8], number: [Int]) -> MessagePart {
        let name = (entity.filename ?? entity.attachmentNames.first).map { HeaderSummary.clean($0) } ?? ""
        let made =
            entity.contentType.isEncapsulatedMessage
            ? "message.eml" : "part-\(MessageView.partName(number)).\(entity.contentType.subtype)"
        return MessagePart(bytes: bytes, mimeType: entity.contentType.mimeType, filename: name.isEmpty ? made : name)
    }

    /// `1.2` → [1, 2]; nil for anything else (at most 32 levels).
    static func partNumber(_ text: String) -> [Int]? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !pieces.isEmpty, pieces.count <= 32 else { return nil }
        var number: [Int] = []
        for piece in pieces {
            guard piece.count <= 5, let n = Int(piece), n >= 1 else { return nil }
            number.append(n)
        }
        // A single-part message's body is part 1 (RFC 9051 §6.4.5).
        return number
    }
}
