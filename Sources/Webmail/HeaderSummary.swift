import MIME

/// What the message list shows of a message, read once from its header: sender, recipients,
/// subject, sent date, whether it has attachments, and the conversation it belongs to.
public struct HeaderSummary: Sendable, Hashable {
    /// The sender's display name, or its address when it has none.
    public var fromName: String
    public var fromAddress: String
    /// The To: addresses as a short text (names where given).
    public var to: String
    /// The decoded Subject (RFC 2047).
    public var subject: String
    /// The Date: field's instant; nil when missing or unreadable (then the arrival time is used).
    public var sentAt: Int64?
    /// `multipart/mixed` or a top-level part that is not text: what the list marks with a clip.
    /// Read from the header alone, as most webmails do; the message page lists the real parts.
    public var hasAttachment: Bool
    /// The conversation's key: the first Message-ID of References (the thread's root, RFC 5322
    /// §3.6.4), else In-Reply-To, else the message's own Message-ID; nil when it has none.
    public var threadKey: String?

    /// The summary of a message whose header is `header` (the bytes up to the empty line).
    public init(header bytes: [UInt8]) {
        let header = MIMEMessage(bytes).header
        let from = header.field("From").flatMap { EnvelopeAddress.parseList($0.valueBytes).first { $0.addressSpec != nil } }
        fromAddress = from?.addressSpec ?? ""
        let name = from?.name.map { EncodedWord.decode($0) }.map(Self.clean) ?? ""
        fromName =
            name.isEmpty ? (fromAddress.isEmpty ? (header.field("From")?.decodedValue).map(Self.clean) ?? "" : fromAddress) : name
        to = header.fields(named: "To").flatMap { EnvelopeAddress.parseList($0.valueBytes) }.compactMap { address in
            guard let spec = address.addressSpec else { return nil }
            let name = address.name.map { Self.clean(EncodedWord.decode($0)) } ?? ""
            return name.isEmpty ? spec : name
        }.prefix(20).joined(separator: ", ")
        subject = header.field("Subject").map { Self.clean($0.decodedValue) } ?? ""
        sentAt = header["Date"].flatMap(MessageDate.init(parsing:))?.secondsSince1970
        let type = header.field("Content-Type").flatMap { ContentType(parsing: $0.valueBytes) } ?? .textPlain
        hasAttachment = (type.type == "multipart" && type.subtype == "mixed") || !(type.isText || type.isMultipart)
        threadKey =
            Self.messageIDs(header["References"]).first ?? Self.messageIDs(header["In-Reply-To"]).first
            ?? Self.messageIDs(header["Message-ID"]).first
    }

    /// The `<id>`s of a References/In-Reply-To/Message-ID value, in order (RFC 5322 §3.6.4).
    public static func messageIDs(_ value: String?) -> [String] { MessageIDList.parse(value) }

    /// The subject without its reply and forward prefixes, case-folded: the sort key (RFC 5256 §2.1
    /// "base subject", simplified to leading `Re:`, `Fw:`, `Fwd:` and `[list]` tags).
    public static func baseSubject(_ subject: String) -> String {
        var text = Substring(subject.lowercased())
        while true {
            text = text.drop { $0 == " " || $0 == "\t" }
            if let prefix = ["re:", "fw:", "fwd:", "aw:", "sv:"].first(where: { text.hasPrefix($0) }) {
                text = text.dropFirst(prefix.count)
            } else if text.hasPrefix("["), let close = text.firstIndex(of: "]"),
                text.distance(from: text.startIndex, to: close) < 40
            {
                text = text[text.index(after: close)...]
            } else {
                return String(text)
            }
        }
    }

    /// Control characters (a folded or hostile header) become spaces; runs of space become one.
    static func clean(_ text: String) -> String {
        var out = ""
        var space = false
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar == " " {
                space = !out.isEmpty
                continue
            }
            if space { out.unicodeScalars.append(" ") }
            space = false
            out.unicodeScalars.append(scalar)
        }
        return String(out.prefix(500))
    }
}
