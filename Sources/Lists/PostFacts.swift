import Core
import MIME

/// What the posting pipeline needs to know about one post: read from the message and envelope
/// once, then judged by `PostingPipeline` without I/O.
public struct PostFacts: Sendable, Hashable {
    /// The author: the first From: address (else the envelope sender).
    public var sender: MailAddress?
    /// Its display name ("" when none).
    public var senderName: String
    /// The envelope's reverse path (nil: the null sender).
    public var reversePath: MailAddress?
    /// Keys (lower case) of every To: and Cc: address.
    public var destinations: [String]
    public var subject: String
    public var messageID: String
    /// The message carries `X-BeenThere:` or `List-Id:` naming this list (it went round a loop).
    public var loopsBack: Bool
    /// Subject and first body lines read like a list command.
    public var looksLikeCommand: Bool
    public var size: Int64
    /// The header fields for header match rules (the first 1,000, each value decoded and bounded).
    public var fields: [PostField]

    /// Reads the facts of `message` for `list`.
    public init(message: MIMEMessage, reversePath: MailAddress?, size: Int64, list: MailingList) {
        let header = message.header
        let from = header.field("From").map { EnvelopeAddress.parseList($0.valueBytes) } ?? []
        let first = from.first { $0.mailbox != nil && $0.host != nil }
        sender = first.flatMap { try? MailAddress(parsing: "\($0.mailbox!)@\($0.host!)") } ?? reversePath
        senderName = first?.name.map { EncodedWord.decode($0) } ?? ""
        self.reversePath = reversePath
        destinations = header.fields.filter { $0.hasName("To") || $0.hasName("Cc") }
            .flatMap { EnvelopeAddress.parseList($0.valueBytes) }
            .compactMap { address in
                guard let mailbox = address.mailbox, let host = address.host else { return nil }
                return "\(mailbox)@\(host)".lowercased()
            }
        subject = header.field("Subject")?.decodedValue ?? ""
        messageID = header.field("Message-ID")?.value ?? ""
        let listID = list.listID
        loopsBack =
            Self.beenThere(header, address: list.postingAddress)
            || header.fields(named: "List-Id").contains { Self.identifier(ofListID: $0.value) == listID }
        looksLikeCommand = Self.isCommand(subject: subject, body: Self.firstText(message))
        self.size = size
        fields = header.fields.prefix(1000).map { PostField(name: $0.name, value: $0.decodedValue) }
    }

    /// Whether an `X-BeenThere:` field names `address` (compared as addresses, not as text: a
    /// list `ept@` is not `dept@`).
    static func beenThere(_ header: Header, address: MailAddress) -> Bool {
        header.fields(named: "X-BeenThere").prefix(100).contains { field in
            let text = field.value.trimmingCharacters(in: .whitespacesAndNewlines)
            let bare = text.hasPrefix("<") && text.hasSuffix(">") ? String(text.dropFirst().dropLast()) : text
            return (try? MailAddress(parsing: bare))?.key == address.key
        }
    }

    /// The identifier in a `List-Id:` value (RFC 2919 §3: the text in angle brackets), lower case.
    static func identifier(ofListID value: String) -> String? {
        guard let open = value.lastIndex(of: "<"), let close = value[open...].firstIndex(of: ">") else { return nil }
        return value[value.index(after: open)..<close].trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Mailman's administrivia words: a post whose subject, or one of whose first few body lines,
    /// is such a command (and short) was meant for the robot, not for every member.
    static let commandWords: Set<String> = [
        "subscribe", "unsubscribe", "join", "leave", "remove", "help", "info", "who", "set", "confirm", "options",
    ]

    static func isCommand(subject: String, body: String) -> Bool {
        func command(_ line: Substring) -> Bool {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first, words.count <= 5 else { return false }
            return commandWords.contains(first.lowercased())
        }
        if command(Substring(subject)) { return true }
        let lines = body.split(whereSeparator: \.isNewline).prefix(20).filter { !$0.allSatisfy(\.isWhitespace) }
        // Only a short body: a long post that starts with "help" is a post.
        guard lines.count <= 5 else { return false }
        return lines.prefix(5).contains { !$0.hasPrefix(">") && command($0) }
    }

    /// The first text/plain part's text, at most 4 KiB of it.
    static func firstText(_ message: MIMEMessage) -> String {
        String((plainText(message) ?? "").prefix(4096))
    }

    /// A post's text for a plain digest (RFC 1153): its first text/plain part, at most 1 MiB, or
    /// a note that there is none.
    static func bodyText(_ message: MIMEMessage) -> String {
        guard let text = plainText(message) else { return "[This post has no plain text part; the MIME digest has it whole.]" }
        return String(text.prefix(1 << 20))
    }

    /// The decoded text of the first text/plain part (50 parts looked at, at most); with
    /// `html`, the first text/html part as text when there is no plain one.
    static func plainText(_ message: MIMEMessage, html: Bool = false) -> String? {
        var stack = [message.root]
        var firstHTML: MIMEEntity?
        var visited = 0
        while let entity = stack.popLast(), visited < 50 {
            visited += 1
            if entity.contentType.type == "multipart" {
                stack.append(contentsOf: entity.parts.reversed())
            } else if entity.contentType.mimeType == "text/plain", let text = message.decodedText(of: entity) {
                return text
            } else if html, firstHTML == nil, entity.contentType.mimeType == "text/html" {
                firstHTML = entity
            }
        }
        return firstHTML.flatMap { message.plainText(of: $0) }
    }
}
