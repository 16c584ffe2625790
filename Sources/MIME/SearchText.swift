/// Decoded, case-folded text of a message for IMAP SEARCH substring matching (RFC 3501 §6.4.4,
/// RFC 9051 §6.4.4). Fold search keys with `SearchText.fold` before matching.
public struct SearchText: Sendable, Hashable {
    /// Every header field of the message as `name: decoded value` lines.
    public var header: String
    /// The text of every text/* part (HTML rendered as text), and the headers of encapsulated messages.
    public var body: String

    /// The case folding applied to all search text.
    public static func fold(_ text: String) -> String { text.lowercased() }

    /// Whether `key` (not yet folded) occurs in the header or the body (SEARCH TEXT).
    public func textContains(_ key: String) -> Bool {
        let folded = Self.fold(key)
        return header.contains(folded) || body.contains(folded)
    }

    /// Whether `key` (not yet folded) occurs in the body (SEARCH BODY).
    public func bodyContains(_ key: String) -> Bool { body.contains(Self.fold(key)) }
}

extension MIMEMessage {
    /// The search text of the whole message.
    public var searchText: SearchText {
        var body = ""
        appendBodyText(of: root, to: &body)
        return SearchText(header: SearchText.fold(Self.headerText(root.header)), body: SearchText.fold(body))
    }

    /// Decoded, folded values of the top-level fields with this name (SEARCH SUBJECT, FROM, HEADER …).
    public func searchValues(ofField name: String) -> [String] {
        root.header.fields(named: name).map { SearchText.fold($0.decodedValue) }
    }

    /// Whether a top-level field with this name contains `key` after decoding and folding; an empty key
    /// matches any message with the field (RFC 3501 §6.4.4 HEADER).
    public func headerField(_ name: String, contains key: String) -> Bool {
        let folded = SearchText.fold(key)
        return searchValues(ofField: name).contains { folded.isEmpty || $0.contains(folded) }
    }

    /// Whether a top-level address field (From, To, Cc, Bcc …) contains `key`, in its decoded text or in
    /// its parsed addresses written as `name <mailbox@host>`: comments and folding inside an address
    /// (`<user (comment)@ (comment) host>`) do not hide it (RFC 3501 §6.4.4 FROM, TO, CC, BCC).
    public func addressField(_ name: String, contains key: String) -> Bool {
        let folded = SearchText.fold(key)
        return root.header.fields(named: name).contains { field in
            if folded.isEmpty || SearchText.fold(field.decodedValue).contains(folded) { return true }
            return EnvelopeAddress.parseList(field.valueBytes).contains { address in
                guard let spec = address.addressSpec else { return false }
                let name = address.name.map { EncodedWord.decode($0) + " " } ?? ""
                return SearchText.fold("\(name)<\(spec)>").contains(folded)
            }
        }
    }

    private static func headerText(_ header: Header) -> String {
        var text = ""
        for field in header.fields {
            text += field.name
            text += ": "
            text += field.decodedValue
            text += "\n"
        }
        return text
    }

    private func appendBodyText(of entity: MIMEEntity, to text: inout String) {
        switch entity.content {
        case .multipart(let multipart):
            for part in multipart.parts { appendBodyText(of: part, to: &text) }
        case .message(let message):
            text += Self.headerText(message.header)
            appendBodyText(of: message, to: &text)
        case .single:
            if let plain = plainText(of: entity) {
                text += plain
                text += "\n"
            }
        }
    }
}
