import Core
import MIME
import MailAuth

/// A post made ready for the members: the original header cleansed and rewritten (subject
/// prefix, Reply-To, DMARC mitigation), the footer added without breaking the MIME structure,
/// and the list fields on top. Each member's copy adds only its unsubscribe fields.
public struct ListCopy: Sendable {
    /// Everything below the per-member fields, list fields included.
    public var body: [UInt8]

    /// A copy whose body is made already (a digest).
    init(body: [UInt8]) { self.body = body }

    /// A copy for each member: the unsubscribe fields on top of `body`. `oneClick` adds
    /// `List-Unsubscribe-Post`, which RFC 8058 §4 allows only on a copy whose DKIM signature
    /// covers both fields.
    public func personalised(unsubscribeURL: String, leave: MailAddress, oneClick: Bool) -> [UInt8] {
        Array(ListFields.unsubscribe(url: unsubscribeURL, leave: leave, oneClick: oneClick).utf8) + body
    }

    /// Makes the copy of `post` for `list`; `mitigate` is the DMARC mitigation chosen for this
    /// post (`.none` when its author's domain does not ask for it); `archive` the URLs of the
    /// list's archive and of this post in it (RFC 2369 List-Archive, RFC 5064 Archived-At).
    public init(
        post: MIMEMessage, facts: PostFacts, list: MailingList, mitigate: DMARCMitigation,
        archive: (index: String, message: String)? = nil
    ) {
        let original = post.header
        func raw(_ field: HeaderField) -> [UInt8] { Array(post.bytes[field.range]) }
        // The author's From value as written (after the colon, CRLF-ended), for Reply-To or Cc.
        let fromValue: [UInt8]? = original.field("From").map { field in
            let bytes = raw(field)
            return Array(bytes[(bytes.firstIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? 0)...])
        }
        let footer = list.footer.trimmingCharacters(in: .whitespacesAndNewlines)
        let wrapBody = mitigate == .wrap || (!footer.isEmpty && !Self.takesFooterInline(post.root, footer: footer))
        let subject = Self.prefixed(facts.subject, prefix: list.subjectPrefix)
        let mungedFrom = Array(
            MessageComposer.field("From", .addresses([(name: Self.viaName(facts, list), address: list.address)])).utf8)

        // The list's Reply-To, or for a mitigated post the author's address where replies find it.
        var replyTo: [UInt8]? = nil
        var ccAuthor = false
        switch list.replyTo {
        case .leave:
            if mitigate != .none && original.field("Reply-To") == nil, let fromValue {
                replyTo = Array("Reply-To:".utf8) + fromValue
            }
        case .list:
            replyTo = Array(MessageComposer.field("Reply-To", .raw(list.address)).utf8)
            ccAuthor = mitigate != .none
        case .explicit:
            replyTo = Array(MessageComposer.field("Reply-To", .raw(list.replyToAddress)).utf8)
            ccAuthor = mitigate != .none
        }
        let listFields = Array(
            (ListFields.common(list, archive: archive?.index) + (archive.map { "Archived-At: <\($0.message)>\r\n" } ?? "")).utf8)

        if mitigate == .wrap {
            // RFC 2046 §5.2.1: the post travels whole inside the list's own message.
            var header = mungedFrom
            for name in ["To", "Cc", "Date", "Message-ID", "In-Reply-To", "References"] {
                if let field = original.field(name) { header += raw(field) }
            }
            for field in original.fields(named: "X-BeenThere") { header += raw(field) }
            header += Array(MessageComposer.field("Subject", .text(subject)).utf8)
            if let replyTo { header += replyTo } else if let fromValue { header += Array("Reply-To:".utf8) + fromValue }
            if ccAuthor, let fromValue, original.field("Cc") == nil { header += Array("Cc:".utf8) + fromValue }
            header += Array("MIME-Version: 1.0\r\n".utf8)
            // Approval passwords never reach the members, not even inside.
            var inner = post.bytes
            for field in original.fields.reversed() where ListFields.approval.contains(field.lowercasedName) {
                inner.removeSubrange(field.range)
            }
            if !inner.isEmpty && inner.suffix(2) != [13, 10] { inner += [13, 10] }
            var bodyBytes: [UInt8]
            if footer.isEmpty {
                header += Array("Content-Type: message/rfc822\r\n".utf8)
                bodyBytes = inner
            } else {
                let boundary = "=_posta_list_" + RandomToken.make(bytes: 12)
                header += Array("Content-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n".utf8)
                bodyBytes =
                    Array("--\(boundary)\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n".utf8) + inner
                bodyBytes += Array("\r\n--\(boundary)\r\n".utf8) + Self.footerPart(footer) + Array("\r\n--\(boundary)--\r\n".utf8)
            }
            header += Array(Self.contentEncodingForWrapped(inner).utf8)
            body = listFields + header + [13, 10] + bodyBytes
            return
        }

        // What this copy changes: an author signature covering any of it breaks (RFC 6376 §3.5 h=),
        // and a changed body breaks every one.
        var changed = ListFields.added
        if !list.subjectPrefix.isEmpty { changed.insert("subject") }
        if mitigate == .munge { changed.insert("from") }
        if replyTo != nil { changed.insert("reply-to") }
        if ccAuthor { changed.insert("cc") }
        if wrapBody { changed.formUnion(["content-type", "content-transfer-encoding", "mime-version"]) }
        let bodyChanged = !footer.isEmpty

        // The post's own fields, rewritten or kept byte for byte.
        var header: [UInt8] = []
        var sawCc = false
        for field in original.fields {
            let name = field.lowercasedName
            // Earlier lists' X-BeenThere fields stay: they are what stops a loop between lists.
            if ListFields.removed.contains(name) || ListFields.approval.contains(name) { continue }
            switch name {
            case "subject" where !list.subjectPrefix.isEmpty:
                header += Array(MessageComposer.field("Subject", .text(subject)).utf8)
            case "from" where mitigate == .munge:
                header += mungedFrom
            case "reply-to" where replyTo != nil:
                continue
            case "cc" where ccAuthor:
                sawCc = true
                var value = raw(field)
                while let last = value.last, last == 10 || last == 13 { value.removeLast() }
                header += value + Array(",".utf8) + (fromValue ?? [])
            case "dkim-signature":
                let signature = try? DKIMSignature(parsing: DKIMHeaderField(raw: raw(field)))
                if !bodyChanged, let signature, Set(signature.signedHeaders.map { $0.lowercased() }).isDisjoint(with: changed) {
                    header += raw(field)
                }
            case _ where wrapBody && name.hasPrefix("content-"):
                continue  // moved into the first part below
            default:
                header += raw(field)
            }
        }
        if original.field("Subject") == nil, !list.subjectPrefix.isEmpty {
            header += Array(MessageComposer.field("Subject", .text(subject)).utf8)
        }
        if let replyTo { header += replyTo }
        if ccAuthor && !sawCc, let fromValue { header += Array("Cc:".utf8) + fromValue }

        var bodyBytes = Array(post.bytes[post.root.bodyRange])
        if wrapBody {
            // RFC 2046 §5.1: the original content becomes the first part of a multipart/mixed.
            let boundary = "=_posta_list_" + RandomToken.make(bytes: 12)
            var first: [UInt8] = []
            for field in original.fields where field.lowercasedName.hasPrefix("content-") { first += raw(field) }
            if original.field("MIME-Version") == nil { header += Array("MIME-Version: 1.0\r\n".utf8) }
            header += Array("Content-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n".utf8)
            header += Array(Self.contentEncodingForWrapped(bodyBytes).utf8)
            var inner = bodyBytes
            if !inner.isEmpty && inner.suffix(2) != [13, 10] { inner += [13, 10] }
            bodyBytes = Array("--\(boundary)\r\n".utf8) + first + [13, 10] + inner
            bodyBytes += Array("--\(boundary)\r\n".utf8) + Self.footerPart(footer) + Array("\r\n--\(boundary)--\r\n".utf8)
        } else if !footer.isEmpty {
            if !bodyBytes.isEmpty && bodyBytes.suffix(2) != [13, 10] { bodyBytes += [13, 10] }
            bodyBytes += Array(("-- \r\n" + Self.crlf(footer) + "\r\n").utf8)
        }
        body = listFields + header + [13, 10] + bodyBytes
    }

    /// Whether the footer can be appended to the text as it is: a single text/plain part sent
    /// as is (7bit/8bit), in a charset the footer's characters fit.
    static func takesFooterInline(_ root: MIMEEntity, footer: String) -> Bool {
        guard root.contentType.mimeType == "text/plain", root.transferEncoding.isIdentity,
            root.transferEncoding != .binary
        else { return false }
        let charset = (root.contentType.charset ?? "us-ascii").lowercased()
        if footer.unicodeScalars.allSatisfy(\.isASCII) {
            return ["us-ascii", "utf-8", "iso-8859-1"].contains(charset) || charset.hasPrefix("iso-8859")
        }
        return charset == "utf-8" && root.transferEncoding == .eightBit
    }

    /// RFC 2046 §5.1.1: a multipart's encoding is 7bit unless a part holds 8bit data.
    static func contentEncodingForWrapped(_ bytes: [UInt8]) -> String {
        bytes.contains { $0 >= 0x80 } ? "Content-Transfer-Encoding: 8bit\r\n" : ""
    }

    static func footerPart(_ footer: String) -> [UInt8] {
        let ascii = footer.unicodeScalars.allSatisfy(\.isASCII)
        return Array(
            ("Content-Type: text/plain; charset=\(ascii ? "us-ascii" : "utf-8")\r\nContent-Transfer-Encoding: \(ascii ? "7bit" : "8bit")\r\n"
                + "Content-Disposition: inline\r\n\r\n" + crlf(footer)).utf8)
    }

    static func crlf(_ text: String) -> String {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: "\r\n")
    }

    /// `[dept] Re: topic`: the prefix once, in front; a reply's `Re:` after it (Mailman's way).
    /// Linear: a subject of a million `Re: ` costs one pass.
    static func prefixed(_ subject: String, prefix: String) -> String {
        guard !prefix.isEmpty else { return subject }
        var rest = Substring(subject).drop(while: { $0 == " " || $0 == "\t" })
        var reply = false
        while true {
            if let after = droppingPrefix(prefix, from: rest) {
                rest = after
            } else if let after = droppingPrefix("re:", from: rest) {
                reply = true
                rest = after
            } else {
                break
            }
            rest = rest.drop(while: { $0 == " " || $0 == "\t" })
        }
        let tail = rest.reversed().drop(while: { $0 == " " || $0 == "\t" })
        return prefix + (reply ? " Re: " : " ") + String(tail.reversed())
    }

    /// `text` without `prefix` (compared without case), or nil when it does not start with it.
    static func droppingPrefix(_ prefix: String, from text: Substring) -> Substring? {
        var index = text.startIndex
        for character in prefix {
            guard index < text.endIndex, text[index].lowercased() == character.lowercased() else { return nil }
            index = text.index(after: index)
        }
        return text[index...]
    }

    /// "Alice Example via Dept": the author's name (else address) and the list's name.
    static func viaName(_ facts: PostFacts, _ list: MailingList) -> String {
        let author = facts.senderName.isEmpty ? (facts.sender?.description ?? "") : facts.senderName
        let listName = list.displayName.isEmpty ? list.postingAddress.localPart : list.displayName
        return "\(author) via \(listName)"
    }
}
