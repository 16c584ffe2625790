import Core
import MIME

extension IMAPSession {
    /// A FETCH on its way: VANISHED (EARLIER), the `\Seen` change, then the messages in bounded
    /// batches, each batch's responses sent before the next is loaded (back-pressure).
    struct FetchJob: Sendable {
        enum Stage: Sendable {
            case vanished
            case markSeen
            case load
        }

        var tag: String
        var set: IMAPSequenceSet
        var attributes: [IMAPFetchAttribute]
        var modifiers: IMAPFetchModifiers
        var uid: Bool
        var targets: [TargetMessage]
        var stage = Stage.vanished
        /// Targets before this index are answered.
        var next = 0
        /// UIDs whose flags this FETCH changed (`\Seen`): their FLAGS are sent.
        var flagsChanged: Set<UInt32> = []
        /// Some addressed messages were expunged by another session.
        var missing = false
    }

    /// UIDs asked per batch; the adapter also stops a batch at `fetchByteBudget` bytes of content.
    static let fetchBatchSize = 256
    static let fetchByteBudget = 1024 * 1024

    /// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9; BINARY RFC 3516; CHANGEDSINCE and VANISHED
    /// RFC 7162 §3.1.4, §3.2.6).
    mutating func fetch(
        _ tag: String, _ set: IMAPSequenceSet, _ attributes: [IMAPFetchAttribute], _ modifiers: IMAPFetchModifiers, uid: Bool
    ) {
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
        let job = FetchJob(tag: tag, set: set, attributes: attributes, modifiers: modifiers, uid: uid, targets: targets)
        if modifiers.vanished, let since = modifiers.changedSince {
            request(.changes(mailboxID: current.mailboxID, since: Int64(clamping: since)), tag: tag, then: .fetch(job))
            return
        }
        markSeen(job)
    }

    mutating func fetch(_ job: FetchJob, _ result: IMAPEffectResult) {
        var job = job
        switch (job.stage, result) {
        case (.vanished, .changes(let changes)):
            if let changes, let current = view,
                let ranges = job.set.normalized(largest: max(current.uids.last ?? 0, current.uidNext &- 1))
            {
                let vanished = changes.expunged.filter { value in ranges.contains { $0.contains(value) } }
                if !vanished.isEmpty { emit(.data(.vanished(IMAPSequenceSet(Self.ranges(vanished)), earlier: true))) }
            }
            markSeen(job)
        case (.markSeen, .flagsStored(let stored)):
            for state in stored.messages { view?.record(state) }
            job.flagsChanged = stored.changed
            loadNext(job)
        case (.load, .messages(let messages, let consumed)):
            let byUID = Dictionary(messages.map { ($0.row.uid, $0) }, uniquingKeysWith: { first, _ in first })
            let end = min(job.targets.count, job.next + max(1, consumed))
            for target in job.targets[job.next..<end] {
                guard answer(&job, target, byUID[target.uid]) else { return }
            }
            job.next = end
            loadNext(job)
        default:
            emit(.tagged(tag: job.tag, Self.status(for: .internalError)))
        }
    }

    /// Sets `\Seen` on messages whose body a non-PEEK item fetches (RFC 9051 §6.4.5); FLAGS are
    /// then sent for those whose flags changed.
    private mutating func markSeen(_ job: FetchJob) {
        var job = job
        job.stage = .markSeen
        guard let current = view, !current.readOnly, job.attributes.contains(where: Self.setsSeen) else { return loadNext(job) }
        let unseen = job.targets.map(\.uid).filter { current.states[$0]?.flags.contains("\\Seen") == false }
        guard !unseen.isEmpty else { return loadNext(job) }
        request(
            .storeFlags(mailboxID: current.mailboxID, uids: unseen, operation: .add, flags: ["\\Seen"], unchangedSince: nil),
            tag: job.tag, then: .fetch(job))
    }

    /// Loads the next batch, or answers from the view alone when no item needs the store, or ends.
    private mutating func loadNext(_ job: FetchJob) {
        var job = job
        job.stage = .load
        guard let current = view, job.next < job.targets.count else { return fetched(job) }
        if job.attributes.allSatisfy(Self.fromView) {
            for target in job.targets[job.next...] {
                guard answer(&job, target, nil) else { return }
            }
            job.next = job.targets.count
            return fetched(job)
        }
        let batch = job.targets[job.next..<min(job.targets.count, job.next + Self.fetchBatchSize)].map(\.uid)
        request(
            .loadMessages(
                mailboxID: current.mailboxID, uids: batch, content: contentNeed(job.attributes), byteBudget: Self.fetchByteBudget),
            tag: job.tag, then: .fetch(job))
    }

    private mutating func fetched(_ job: FetchJob) {
        let reply: IMAPStatusResponse
        if job.missing && !job.uid {
            // RFC 9051 §7.1: some addressed messages were expunged by another session.
            reply = IMAPStatusResponse(.no, code: .expungeIssued, "Some of the requested messages no longer exist")
        } else {
            reply = IMAPStatusResponse(.ok, job.uid ? "UID FETCH completed" : "FETCH completed")
        }
        synchronize(job.tag, allowExpunge: job.uid, then: .reply(.tagged(tag: job.tag, reply)))
    }

    /// One message's FETCH response; false when the command ended (UNKNOWN-CTE).
    private mutating func answer(_ job: inout FetchJob, _ target: TargetMessage, _ loaded: IMAPLoadedMessage?) -> Bool {
        // A message expunged by another session but not yet announced keeps what the view
        // knows (flags, UID, modseq); items needing its index row or file are not sent.
        guard let state = view?.states[target.uid] else {
            job.missing = true
            return true
        }
        let attributes = job.attributes
        if loaded == nil && !attributes.allSatisfy(Self.fromView) {
            job.missing = true
            return true
        }
        if let since = job.modifiers.changedSince, UInt64(max(0, state.modSeq)) <= since { return true }
        let changed = job.flagsChanged.contains(target.uid)
        var values: [IMAPFetchValue] = []
        if job.uid || attributes.contains(.uid) || (condStore && changed) { values.append(.uid(target.uid)) }
        do {
            guard let items = try fetchValues(attributes, loaded, state: state) else {
                job.missing = true
                return true
            }
            values += items
        } catch {
            no(job.tag, code: .unknownCTE, "Cannot decode the part's Content-Transfer-Encoding")
            return false
        }
        if changed && !attributes.contains(.flags) { values.append(.flags(flags(state))) }
        if (job.modifiers.changedSince != nil || (condStore && changed)) && !attributes.contains(.modSeq) {
            values.append(.modSeq(UInt64(max(0, state.modSeq))))
        }
        emit(.data(.fetch(UInt32(target.sequence), values)))
        return true
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

    private func contentNeed(_ attributes: [IMAPFetchAttribute]) -> IMAPContentNeed {
        guard attributes.contains(where: Self.needsContent) else { return .none }
        return attributes.allSatisfy { !Self.needsContent($0) || Self.needsHeaderOnly($0) } ? .header : .full
    }

    /// The values of one message's FETCH response, in the order asked; nil when its file could not
    /// be read. Throws `UnknownTransferEncoding` for a BINARY part it cannot decode.
    private mutating func fetchValues(_ attributes: [IMAPFetchAttribute], _ loaded: IMAPLoadedMessage?, state: MessageState)
        throws -> [IMAPFetchValue]?
    {
        var parsed: MIMEMessage?
        if let loaded, attributes.contains(where: Self.needsContent) {
            guard let content = loaded.content else { return nil }
            parsed = MIMEMessage(content)
        }
        let message = loaded?.row
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
