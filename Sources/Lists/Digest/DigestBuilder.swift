import Core
import Foundation
import MIME
import Queue

/// One digest issue, made from the list copies of the posts collected since the last one:
/// a MIME digest (RFC 2046 §5.1.5: a table of contents, then a `multipart/digest` whose parts
/// are the posts as `message/rfc822`) and a plain one (RFC 1153). Pure: the same posts give
/// the same text (boundaries aside).
struct DigestBuilder {
    var list: MailingList
    var volume: Int
    var issue: Int
    /// The list copies (list fields, cleansed header, body), in the order posted.
    var posts: [[UInt8]]
    var date: Date
    var hostname: String

    var name: String { list.displayName.isEmpty ? list.postingAddress.localPart : list.displayName }
    /// "Dept Digest, Vol 3, Issue 12".
    var title: String { "\(name) Digest, Vol \(volume), Issue \(issue)" }

    /// The fields of a post a plain digest shows (RFC 1153 §3: Date, From, To, Cc, Subject,
    /// Message-ID, Keywords, Summary).
    static let plainKept = ["Date", "From", "To", "Cc", "Subject", "Message-ID", "Keywords", "Summary"]

    /// The MIME digest, below the member's own fields.
    func mime() -> [UInt8] {
        let outer = "=_posta_digest_" + RandomToken.make(bytes: 12)
        let inner = "=_posta_digest_parts_" + RandomToken.make(bytes: 12)
        var parts: [UInt8] = []
        for post in posts {
            var message = Self.withoutListFields(post)
            if message.suffix(2) != [13, 10] { message += [13, 10] }
            // RFC 2046 §5.1.5: in a multipart/digest a part is message/rfc822 unless it says otherwise.
            parts += Array("--\(inner)\r\n\r\n".utf8) + message
        }
        parts += Array("--\(inner)--\r\n".utf8)
        var body = Array(
            ("--\(outer)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                + "Content-Description: \(title)\r\n\r\n" + ListCopy.crlf(preamble()) + "\r\n").utf8)
        body += Array("--\(outer)\r\nContent-Type: multipart/digest; boundary=\"\(inner)\"\r\n".utf8)
        body += Array(ListCopy.contentEncodingForWrapped(parts).utf8) + [13, 10] + parts
        let footer = list.footer.trimmingCharacters(in: .whitespacesAndNewlines)
        if !footer.isEmpty { body += Array("--\(outer)\r\n".utf8) + ListCopy.footerPart(footer) + [13, 10] }
        body += Array("--\(outer)--\r\n".utf8)
        let header =
            header() + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"\(outer)\"\r\n"
            + ListCopy.contentEncodingForWrapped(body)
        return Array(header.utf8) + [13, 10] + body
    }

    /// The RFC 1153 digest, below the member's own fields.
    func plain() -> [UInt8] {
        var text = preamble() + "\n" + String(repeating: "-", count: 70) + "\n\n"
        for (index, post) in posts.enumerated() {
            let message = MIMEMessage(post)
            for name in Self.plainKept {
                if let value = message.header.field(name)?.decodedValue { text += "\(name): \(Self.oneLine(value))\n" }
            }
            text += "\n" + Self.escaped(PostFacts.bodyText(message)) + "\n"
            if index < posts.count - 1 { text += "\n" + String(repeating: "-", count: 30) + "\n\n" }
        }
        let footer = list.footer.trimmingCharacters(in: .whitespacesAndNewlines)
        if !footer.isEmpty { text += "\n" + String(repeating: "-", count: 30) + "\n\n" + footer + "\n" }
        let end = "End of \(title)"
        text += "\n" + String(repeating: "-", count: 30) + "\n\n" + end + "\n" + String(repeating: "*", count: end.count) + "\n"
        let ascii = text.unicodeScalars.allSatisfy(\.isASCII)
        let header =
            header() + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=\(ascii ? "us-ascii" : "utf-8")\r\n"
            + "Content-Transfer-Encoding: \(ascii ? "7bit" : "8bit")\r\n"
        return Array((header + "\r\n" + ListCopy.crlf(text)).utf8)
    }

    /// The digest's own header: the list fields, then From `-request` (Mailman's way: replies to
    /// the digest do not reach every member), To and (except on an announce list) Reply-To the
    /// list.
    func header() -> String {
        let request = ListAddress.companion(list.postingAddress, ListAddress.requestSuffix).description
        var out = ListFields.common(list)
        out += MessageComposer.field("From", .addresses([(name: name, address: request)]))
        out += MessageComposer.field("To", .addresses([(name: name, address: list.address)]))
        if list.style != .announce { out += MessageComposer.field("Reply-To", .raw(list.address)) }
        out += MessageComposer.field("Subject", .text(title))
        out += "Date: \(TraceHeaders.rfc5322Date(date))\r\n"
        out += "Message-ID: <\(RandomToken.make(bytes: 12)).digest@\(hostname)>\r\n"
        return out
    }

    /// What the digest is and the table of contents: each post's subject and author.
    func preamble() -> String {
        var text = """
            Send \(name) mailing list submissions to
                \(list.address)

            To subscribe or unsubscribe, use the link of this message's List-Unsubscribe field, or
            write to \(ListAddress.companion(list.postingAddress, ListAddress.requestSuffix)) with the word "help".

            When replying, please edit your Subject line so it is more specific than
            "Re: Contents of \(name) digest..."

            Today's Topics:

            """
        for (index, post) in posts.enumerated() {
            let facts = PostFacts(message: MIMEMessage(post), reversePath: nil, size: Int64(post.count), list: list)
            let author = facts.senderName.isEmpty ? (facts.sender?.description ?? "") : facts.senderName
            let subject = facts.subject.isEmpty ? "(no subject)" : facts.subject
            text += "\n   \(index + 1). \(Self.oneLine(subject, limit: 120)) (\(Self.oneLine(author, limit: 80)))"
        }
        return text + "\n"
    }

    /// A post without the list's own fields (every part carries the digest's).
    static func withoutListFields(_ post: [UInt8]) -> [UInt8] {
        let message = MIMEMessage(post)
        var out = post
        for field in message.header.fields.reversed() where ListFields.added.contains(field.lowercasedName) {
            out.removeSubrange(field.range)
        }
        return out
    }

    /// RFC 1153 §3: a line of exactly thirty hyphens would end a message early; it gets a space.
    static func escaped(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.trimmingCharacters(in: CharacterSet(charactersIn: "\r")) == String(repeating: "-", count: 30) ? " " + line : line
        }.joined(separator: "\n")
    }

    static func oneLine(_ text: String, limit: Int = 998) -> String {
        let scalars = text.unicodeScalars.prefix(limit).map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }
        return String(String.UnicodeScalarView(scalars))
    }
}
