import MIME

/// ENVELOPE and BODY/BODYSTRUCTURE as IMAP values (RFC 9051 §7.5.2, §9 `envelope`, `body`).
enum MessageStructureValues {
    /// `(date subject from sender reply-to to cc bcc in-reply-to message-id)`.
    static func envelope(_ envelope: Envelope) -> IMAPValue {
        .list([
            .nstring(envelope.date), .nstring(envelope.subject), addresses(envelope.from), addresses(envelope.sender),
            addresses(envelope.replyTo), addresses(envelope.to), addresses(envelope.cc), addresses(envelope.bcc),
            .nstring(envelope.inReplyTo), .nstring(envelope.messageID),
        ])
    }

    /// A parenthesised list of `(name adl mailbox host)`, or NIL when there is none.
    private static func addresses(_ list: [EnvelopeAddress]?) -> IMAPValue {
        guard let list, !list.isEmpty else { return .nil }
        return .list(list.map { .list([.nstring($0.name), .nstring($0.adl), .nstring($0.mailbox), .nstring($0.host)]) })
    }

    /// BODYSTRUCTURE (`extensible`) or BODY (without extension data).
    static func body(_ structure: BodyStructure, extensible: Bool) -> IMAPValue {
        var items: [IMAPValue]
        if case .multipart(let parts) = structure.kind {
            items = parts.map { body($0, extensible: extensible) }
            items.append(upper(structure.subtype))
            if extensible {
                items.append(parameters(structure.parameters))
                items += dispositionLanguageLocation(structure)
            }
            return .list(items)
        }
        items = [
            upper(structure.type), upper(structure.subtype), parameters(structure.parameters), .nstring(structure.id),
            .nstring(structure.description), upper(structure.encoding), .number(UInt64(structure.size)),
        ]
        switch structure.kind {
        case .text(let lines):
            items.append(.number(UInt64(lines)))
        case .message(let envelope, let inner, let lines):
            items += [self.envelope(envelope), body(inner, extensible: extensible), .number(UInt64(lines))]
        case .basic, .multipart:
            break
        }
        if extensible {
            items.append(.nstring(structure.md5))
            items += dispositionLanguageLocation(structure)
        }
        return .list(items)
    }

    private static func dispositionLanguageLocation(_ structure: BodyStructure) -> [IMAPValue] {
        let disposition: IMAPValue = structure.disposition.map { .list([upper($0.type), parameters($0.parameters)]) } ?? .nil
        let language: IMAPValue
        if let languages = structure.language, !languages.isEmpty {
            language = languages.count == 1 ? .nstring(languages[0]) : .list(languages.map { .nstring($0) })
        } else {
            language = .nil
        }
        return [disposition, language, .nstring(structure.location)]
    }

    /// `("NAME" "value" ...)` or NIL.
    private static func parameters(_ list: [MIMEParameter]) -> IMAPValue {
        guard !list.isEmpty else { return .nil }
        return .list(list.flatMap { [upper($0.name), .nstring($0.value)] })
    }

    private static func upper(_ text: String) -> IMAPValue { .nstring(text.uppercased()) }
}
