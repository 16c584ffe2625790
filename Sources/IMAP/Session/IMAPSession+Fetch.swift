import MIME
import Store

extension IMAPSession {
    /// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9; BINARY RFC 3516; CHANGEDSINCE and VANISHED
    /// RFC 7162 §3.1.4, §3.2.6).
    func fetch(
        _ tag: String, _ set: IMAPSequenceSet, _ attributes: [IMAPFetchAttribute], _ modifiers: IMAPFetchModifiers,
        uid: Bool
    ) async throws {
        guard let current = view, let targets = targets(set, uid: uid) else {
            bad(tag, "Invalid message set")
            return
        }
        if modifiers.vanished && (!uid || modifiers.changedSince == nil || !qresync) {
            // RFC 7162 §3.2.6: VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC enabled.
            bad(tag, "VANISHED needs UID FETCH with CHANGEDSINCE after ENABLE QRESYNC")
            return
        }
        if modifiers.changedSince != nil || attributes.contains(.modSeq) { enableCondStore() }
        if modifiers.vanished, let since = modifiers.changedSince,
            let changes = try await backend.store.changes(mailboxID: current.mailboxID, since: Int64(clamping: since)),
            let ranges = set.normalized(largest: max(current.uids.last ?? 0, current.uidNext &- 1))
        {
            let vanished = changes.expunged.filter { value in ranges.contains { $0.contains(value) } }
            if !vanished.isEmpty { emit(.data(.vanished(IMAPSequenceSet(Self.ranges(vanished)), earlier: true))) }
        }
        let stored = Dictionary(
            try await backend.store.messages(mailboxID: current.mailboxID, uids: targets.map(\.uid)).map { ($0.uid, $0) },
            uniquingKeysWith: { first, _ in first })
        let flagsChanged = try await markSeen(targets, attributes)
        var missing = false
        for target in targets where state != .logout {
            // A message expunged by another session but not yet announced keeps what the view
            // knows (flags, UID, modseq); anything needing its file or index row is not sent.
            // A message expunged by another session but not yet announced keeps what the view
            // knows (flags, UID, modseq); items needing its index row or file are not sent.
            guard let state = view?.states[target.uid] else {
                missing = true
                continue
            }
            let message = stored[target.uid]
            if message == nil && !attributes.allSatisfy(Self.fromView) {
                missing = true
                continue
            }
            if let since = modifiers.changedSince, UInt64(max(0, state.modSeq)) <= since { continue }
            var values: [IMAPFetchValue] = []
            if uid || attributes.contains(.uid) || (condStore && flagsChanged.contains(target.uid)) {
                values.append(.uid(target.uid))
            }
            do {
                values += try await fetchValues(attributes, message: message, state: state)
            } catch is MessageFileError {
                missing = true
                continue
            } catch is UnknownTransferEncoding {
                no(tag, code: .unknownCTE, "Cannot decode the part's Content-Transfer-Encoding")
                return
            }
            if flagsChanged.contains(target.uid) && !attributes.contains(.flags) {
                values.append(.flags(flags(state)))
            }
            if (modifiers.changedSince != nil || (condStore && flagsChanged.contains(target.uid)))
                && !attributes.contains(.modSeq)
            {
                values.append(.modSeq(UInt64(max(0, state.modSeq))))
            }
            emit(.data(.fetch(UInt32(target.sequence), values)))
            await flushIfLarge()
        }
        try await synchronize(allowExpunge: uid)
        if missing && !uid {
            // RFC 9051 §7.1: some addressed messages were expunged by another session.
            no(tag, code: .expungeIssued, "Some of the requested messages no longer exist")
        } else {
            ok(tag, uid ? "UID FETCH completed" : "FETCH completed")
        }
    }

    /// Sets `\Seen` on messages whose body a non-PEEK item fetches (RFC 9051 §6.4.5); returns
    /// the UIDs whose flags changed, for which FLAGS are sent.
    private func markSeen(_ targets: [TargetMessage], _ attributes: [IMAPFetchAttribute]) async throws -> Set<UInt32> {
        guard var current = view, !current.readOnly, attributes.contains(where: Self.setsSeen) else { return [] }
        let unseen = targets.map(\.uid).filter { current.states[$0]?.flags.contains("\\Seen") == false }
        guard !unseen.isEmpty else { return [] }
        let result = try await backend.store.storeFlags(
            mailboxID: current.mailboxID, uids: unseen, operation: .add, flags: ["\\Seen"])
        for state in result.messages { current.record(state) }
        view = current
        return result.changed
    }

    private static func setsSeen(_ attribute: IMAPFetchAttribute) -> Bool {
        switch attribute {
        case .rfc822, .rfc822Text: true
        case .bodySection(_, _, let peek), .binary(_, _, let peek): !peek
        default: false
        }
    }

    /// Items the session's view can answer without the index row or the file.
    private static func fromView(_ attribute: IMAPFetchAttribute) -> Bool {
        switch attribute {
        case .flags, .uid, .modSeq: true
        default: false
        }
    }

    /// Items answered from the top-level header alone, so the file is read only up to its end.
    private static func needsHeaderOnly(_ attribute: IMAPFetchAttribute) -> Bool {
        switch attribute {
        case .envelope, .rfc822Header: true
        case .bodySection(let section, _, _):
            switch section.text {
            case .header?, .headerFields?, .headerFieldsNot?: section.part.isEmpty
            default: false
            }
        default: false
        }
    }

    private static func needsContent(_ attribute: IMAPFetchAttribute) -> Bool {
        switch attribute {
        case .flags, .internalDate, .uid, .rfc822Size, .modSeq: false
        default: true
        }
    }

    /// The values of one message's FETCH response, in the order asked.
    private func fetchValues(_ attributes: [IMAPFetchAttribute], message: StoredMessage?, state: MessageState)
        async throws -> [IMAPFetchValue]
    {
        var parsed: MIMEMessage?
        if let message, attributes.contains(where: Self.needsContent) {
            let headerOnly = attributes.allSatisfy { !Self.needsContent($0) || Self.needsHeaderOnly($0) }
            parsed = MIMEMessage(
                try await headerOnly ? Self.readMessageHeader(message.path) : Self.readMessage(message.path))
        }
        var values: [IMAPFetchValue] = []
        for attribute in attributes {
            switch attribute {
            case .uid: continue
            case .flags: values.append(.flags(flags(state)))
            case .internalDate:
                if let message { values.append(.internalDate(IMAPDateTime(secondsSince1970: message.internalDate))) }
            case .rfc822Size:
                if let message { values.append(.rfc822Size(UInt64(message.size))) }
            case .modSeq: values.append(.modSeq(UInt64(max(0, state.modSeq))))
            case .envelope:
                if let parsed { values.append(.envelope(MessageStructureValues.envelope(parsed.envelope))) }
            case .body:
                if let parsed { values.append(.body(MessageStructureValues.body(parsed.bodyStructure, extensible: false))) }
            case .bodyStructure:
                if let parsed {
                    values.append(.bodyStructure(MessageStructureValues.body(parsed.bodyStructure, extensible: true)))
                }
            case .rfc822: values.append(.rfc822(parsed?.bytes))
            case .rfc822Header: values.append(.rfc822Header(parsed.flatMap { $0.bytes(of: MessageSection(text: .header)) }))
            case .rfc822Text: values.append(.rfc822Text(parsed.flatMap { $0.bytes(of: MessageSection(text: .text)) }))
            case .bodySection(let section, let partial, _):
                let bytes = parsed.flatMap { $0.bytes(of: section) } ?? []
                let (slice, origin) = Self.slice(bytes, partial)
                values.append(.bodySection(section, origin: origin, slice))
            case .binary(let part, let partial, _):
                let content = try Self.binaryContent(parsed, part)
                let (slice, origin) = Self.slice(content ?? [], partial)
                values.append(.binary(part: part, origin: origin, content == nil ? nil : slice))
            case .binarySize(let part):
                values.append(.binarySize(part: part, UInt64(try Self.binaryContent(parsed, part)?.count ?? 0)))
            }
        }
        return values
    }

    /// RFC 3516 §4.2: the decoded content of a part; nil when the part does not exist; throws
    /// `UnknownTransferEncoding` when its Content-Transfer-Encoding cannot be undone.
    static func binaryContent(_ message: MIMEMessage?, _ part: [UInt32]) throws -> [UInt8]? {
        guard let message else { return nil }
        let numbers = part.map { Int($0) }
        if let content = message.binaryContent(at: numbers) { return content }
        if message.entity(at: numbers) != nil { throw UnknownTransferEncoding() }
        return nil
    }

    /// `<origin.length>` applied (RFC 9051 §6.4.5): the bytes and the origin to report.
    static func slice(_ bytes: [UInt8], _ partial: IMAPPartial?) -> ([UInt8], UInt64?) {
        guard let partial else { return (bytes, nil) }
        let start = Int(min(UInt64(bytes.count), partial.offset))
        let end = Int(min(UInt64(bytes.count), partial.offset &+ partial.length))
        return (Array(bytes[start..<max(start, end)]), partial.offset)
    }
}

/// A BINARY fetch of a part whose transfer encoding Posta cannot decode (RFC 3516 §4.3 UNKNOWN-CTE).
struct UnknownTransferEncoding: Error {}
