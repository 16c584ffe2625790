/// A section specification of IMAP FETCH `BODY[...]` (RFC 3501 §6.4.5, RFC 9051 §6.4.5), without syntax.
public struct MessageSection: Sendable, Hashable {
    /// The text part of a section specification.
    public enum Text: Sendable, Hashable {
        /// The RFC 5322 header of the (encapsulated) message, including the empty line.
        case header
        /// Only the named fields, in original order, followed by the empty line.
        case headerFields([String])
        /// All fields except the named ones, followed by the empty line.
        case headerFieldsNot([String])
        /// The body of the (encapsulated) message.
        case text
        /// The MIME header of a body part, including the empty line.
        case mime
    }

    /// Part numbers, 1-based; empty for the message itself.
    public var part: [Int]
    public var text: Text?

    public init(part: [Int] = [], text: Text? = nil) {
        self.part = part
        self.text = text
    }
}

extension MIMEMessage {
    /// Where a section specification points after the part numbers are followed.
    private enum Target {
        /// A message (the top level, or one encapsulated in a message/rfc822 part).
        case message(MIMEEntity)
        /// A body part.
        case part(MIMEEntity)
    }

    /// The body part addressed by part numbers (RFC 3501 §6.4.5): a multipart's parts are numbered from 1;
    /// a non-multipart message has only part 1, its body; a message/rfc822 part's subparts are those of
    /// the encapsulated message. Nil when there is no such part; the root for an empty list.
    public func entity(at part: [Int]) -> MIMEEntity? {
        switch target(part) {
        case .message(let entity), .part(let entity): entity
        case nil: nil
        }
    }

    private func target(_ part: [Int]) -> Target? {
        var target = Target.message(root)
        for number in part {
            guard number >= 1 else { return nil }
            switch target {
            case .message(let message):
                guard let next = partOfMessage(message, number) else { return nil }
                target = .part(next)
            case .part(let entity):
                switch entity.content {
                case .multipart(let multipart):
                    guard number <= multipart.parts.count else { return nil }
                    target = .part(multipart.parts[number - 1])
                case .message(let message):
                    guard let next = partOfMessage(message, number) else { return nil }
                    target = .part(next)
                case .single:
                    return nil
                }
            }
        }
        return target
    }

    private func partOfMessage(_ message: MIMEEntity, _ number: Int) -> MIMEEntity? {
        if case .multipart(let multipart) = message.content {
            return number <= multipart.parts.count ? multipart.parts[number - 1] : nil
        }
        return number == 1 ? message : nil
    }

    /// The byte range of a section, or nil when it does not exist or is not contiguous
    /// (`HEADER.FIELDS` / `.NOT`; use `bytes(of:)`).
    public func range(of section: MessageSection) -> Range<Int>? {
        guard let target = target(section.part) else { return nil }
        switch (target, section.text) {
        case (.message, nil): return root.range
        case (.part(let entity), nil): return entity.bodyRange
        case (.part(let entity), .mime?): return entity.headerRange
        case (.message, .mime?): return nil
        case (_, .header?): return message(in: target)?.headerRange
        case (_, .text?): return message(in: target)?.bodyRange
        case (_, .headerFields?), (_, .headerFieldsNot?): return nil
        }
    }

    /// The bytes of a section, or nil when it does not exist. For `HEADER.FIELDS` and `.NOT` the selected
    /// fields (case-insensitive names) in original order, raw, followed by CRLF.
    public func bytes(of section: MessageSection) -> [UInt8]? {
        switch section.text {
        case .headerFields(let names): return selectedFields(section.part, names: names, matching: true)
        case .headerFieldsNot(let names): return selectedFields(section.part, names: names, matching: false)
        default: return range(of: section).map { Array(bytes[$0]) }
        }
    }

    /// HEADER, TEXT and HEADER.FIELDS apply to a message: the top level, or a message/rfc822 part's content.
    private func message(in target: Target) -> MIMEEntity? {
        switch target {
        case .message(let message): message
        case .part(let entity): entity.encapsulatedMessage
        }
    }

    private func selectedFields(_ part: [Int], names: [String], matching: Bool) -> [UInt8]? {
        guard let target = target(part), let message = message(in: target) else { return nil }
        let wanted = Set(names.map { ASCII.lowercasedString($0.utf8) })
        var out: [UInt8] = []
        for field in message.header.fields where wanted.contains(field.lowercasedName) == matching {
            out += bytes[field.range]
            if let last = out.last, last != ASCII.lf { out += [ASCII.cr, ASCII.lf] }
        }
        out += [ASCII.cr, ASCII.lf]
        return out
    }
}
