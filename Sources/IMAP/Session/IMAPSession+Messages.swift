import Core
import MIME

extension IMAPSession {
    /// A STORE whose flags are being written.
    struct StoreJob: Sendable {
        var tag: String
        var action: IMAPStoreAction
        var uid: Bool
    }

    /// STORE and UID STORE (RFC 9051 §6.4.6; UNCHANGEDSINCE RFC 7162 §3.1.3).
    mutating func store(_ tag: String, _ set: IMAPSequenceSet, _ action: IMAPStoreAction, unchangedSince: UInt64?, uid: Bool) {
        guard let current = view, let targets = targets(set, uid: uid) else {
            bad(tag, "Invalid message set")
            return
        }
        guard !current.readOnly else {
            no(tag, code: .readOnly, "Mailbox is read-only")
            return
        }
        if let invalid = action.flags.first(where: { !Self.isStorable($0) }) {
            bad(tag, "Invalid flag \(invalid.rawValue.prefix(40))")
            return
        }
        if unchangedSince != nil { enableCondStore() }
        let operation: FlagOperation =
            switch action.operation {
            case .replace: .replace
            case .add: .add
            case .remove: .remove
            }
        request(
            .storeFlags(
                mailboxID: current.mailboxID, uids: targets.map(\.uid), operation: operation, flags: action.flags.map(\.rawValue),
                unchangedSince: unchangedSince.map { Int64(clamping: $0) }),
            tag: tag, then: .store(StoreJob(tag: tag, action: action, uid: uid)))
    }

    mutating func stored(_ job: StoreJob, _ result: FlagStoreResult) {
        guard var current = view else { return }
        let (action, uid) = (job.action, job.uid)
        for state in result.messages {
            current.record(state)
            guard let sequence = current.sequence(of: state.uid) else { continue }
            let changed = result.changed.contains(state.uid)
            // RFC 7162 §3.1.3: with CONDSTORE the new MODSEQ is reported even for .SILENT.
            if action.silent && !(condStore && changed) { continue }
            var values: [IMAPFetchValue] = []
            // RFC 7162 §3.1.4: under CONDSTORE the FETCH of a STORE carries UID and MODSEQ.
            if uid || condStore || qresync { values.append(.uid(state.uid)) }
            if !action.silent { values.append(.flags(flags(state))) }
            if condStore { values.append(.modSeq(UInt64(max(0, state.modSeq)))) }
            emit(.data(.fetch(UInt32(sequence), values)))
        }
        view = current
        let reply: IMAPStatusResponse
        if !result.modified.isEmpty {
            let numbers = uid ? result.modified : result.modified.compactMap { current.sequence(of: $0).map(UInt32.init) }
            reply = IMAPStatusResponse(
                .ok, code: .modified(IMAPSequenceSet(Self.ranges(numbers))), "Conditional STORE failed for some messages")
        } else {
            reply = IMAPStatusResponse(.ok, uid ? "UID STORE completed" : "STORE completed")
        }
        synchronize(job.tag, allowExpunge: uid, then: .reply(.tagged(tag: job.tag, reply)))
    }

    /// COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851 §3), with COPYUID (RFC 4315 §3).
    mutating func copy(_ tag: String, _ set: IMAPSequenceSet, _ name: IMAPMailboxName, uid: Bool, move: Bool) {
        guard let current = view, let targets = targets(set, uid: uid) else {
            bad(tag, "Invalid message set")
            return
        }
        if move && current.readOnly {
            no(tag, code: .readOnly, "Mailbox is read-only")
            return
        }
        guard let destination = mailboxName(name) else {
            no(tag, code: .cannot, "Invalid mailbox name")
            return
        }
        request(
            .copy(accountID: accountID, mailboxID: current.mailboxID, uids: targets.map(\.uid), to: destination, move: move),
            tag: tag, then: .copy(uid: uid, move: move))
    }

    mutating func copied(_ tag: String, _ result: CopyResult?, uid: Bool, move: Bool) {
        guard let result else {
            no(tag, code: .tryCreate, "No such mailbox")
            return
        }
        let code: IMAPResponseCode? =
            result.sourceUIDs.isEmpty
            ? nil
            : .copyUID(
                uidValidity: result.uidValidity, source: IMAPSequenceSet(Self.ranges(result.sourceUIDs)),
                destination: IMAPSequenceSet(Self.ranges(result.destinationUIDs)))
        guard move, var current = view else {
            let reply = IMAPStatusResponse(.ok, code: code, uid ? "UID COPY completed" : "COPY completed")
            synchronize(tag, allowExpunge: uid, then: .reply(.tagged(tag: tag, reply)))
            return
        }
        // RFC 6851 §4.3: COPYUID in an untagged OK, then the expunges, then the tagged OK.
        if let code { emit(.untagged(IMAPStatusResponse(.ok, code: code, "Moved"))) }
        let sequences = current.remove(result.sourceUIDs)
        view = current
        announceRemoval(sequences, uids: result.sourceUIDs)
        let reply = IMAPStatusResponse(.ok, uid ? "UID MOVE completed" : "MOVE completed")
        synchronize(tag, allowExpunge: true, then: .reply(.tagged(tag: tag, reply)))
    }

    /// EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1).
    mutating func expunge(_ tag: String, only set: IMAPSequenceSet?) {
        guard view?.readOnly == false else {
            no(tag, code: .readOnly, "Mailbox is read-only")
            return
        }
        synchronize(tag, allowExpunge: true, then: .expunge(set))
    }

    mutating func expungeDeleted(_ tag: String, only set: IMAPSequenceSet?) {
        guard let current = view else { return }
        var candidates = current.uids.filter { current.states[$0]?.flags.contains("\\Deleted") == true }
        if let set {
            let ranges = set.normalized(largest: current.uids.last ?? 0) ?? []
            candidates = Self.positions(of: candidates, in: ranges).map { candidates[$0] }
        }
        request(.expunge(mailboxID: current.mailboxID, uids: candidates, onlyDeleted: true), tag: tag, then: .expunge(only: set))
    }

    mutating func expunged(_ tag: String, _ removed: [UInt32], only set: IMAPSequenceSet?) {
        guard var current = view else { return }
        let sequences = current.remove(removed)
        view = current
        announceRemoval(sequences, uids: removed)
        ok(tag, set == nil ? "EXPUNGE completed" : "UID EXPUNGE completed")
    }

    /// A keyword, or one of the system flags a client may set (RFC 9051 §2.3.2); `\Recent` is
    /// accepted and ignored (it is session state, and gone in IMAP4rev2).
    static func isStorable(_ flag: IMAPFlag) -> Bool {
        guard flag.isSystem else { return true }
        return ["\\ANSWERED", "\\FLAGGED", "\\DELETED", "\\SEEN", "\\DRAFT", "\\RECENT"].contains(flag.normalized)
    }

    /// This session's own removals: EXPUNGE per message (highest first) or one VANISHED.
    private mutating func announceRemoval(_ sequences: [Int], uids: [UInt32]) {
        guard !sequences.isEmpty else { return }
        if qresync {
            emit(.data(.vanished(IMAPSequenceSet(Self.ranges(uids)), earlier: false)))
        } else {
            for sequence in sequences { emit(.data(.expunge(UInt32(sequence)))) }
        }
    }

    /// Message bytes as stored: parts holding NUL (only a literal8 can carry them, RFC 3516 §4.2) are
    /// re-encoded as base64, since no literal of a later FETCH BODY could carry them back.
    static func storable(_ data: [UInt8]) -> [UInt8] {
        data.contains(0) ? MIMEMessage(data).encodingBinaryParts() : data
    }

    /// APPEND (RFC 9051 §6.3.12), several messages at once (RFC 3502 MULTIAPPEND, all or none),
    /// APPENDUID (RFC 4315 §3), literal8 (RFC 3516 §4.4).
    mutating func append(_ tag: String, _ name: IMAPMailboxName, _ messages: [IMAPAppendMessage]) {
        guard let destination = mailboxName(name) else {
            no(tag, code: .cannot, "Invalid mailbox name")
            return
        }
        var refusal: IMAPStatusResponse?
        if let tooBig = messages.first(where: { $0.data.count > configuration.appendLimit }) {
            refusal = IMAPStatusResponse(.no, code: .tooBig, "Message of \(tooBig.data.count) bytes exceeds the limit")
        } else if let invalid = messages.flatMap(\.flags).first(where: { !Self.isStorable($0) }) {
            refusal = IMAPStatusResponse(.bad, "Invalid flag \(invalid.rawValue.prefix(40))")
        } else if messages.contains(where: { $0.data.isEmpty }) {
            refusal = IMAPStatusResponse(.no, "Empty messages are not stored")
        }
        if let refusal {
            // A missing mailbox is reported first (TRYCREATE), as when the message is fine.
            request(
                .status(accountID: accountID, name: destination, totals: false), tag: tag, then: .appendCheck(refusal: refusal))
            return
        }
        // All or none (RFC 3502 §6.3.11): one index transaction for every message of the command.
        let requests = messages.map {
            AppendRequest(
                data: Self.storable($0.data), flags: $0.flags.map(\.rawValue), internalDate: $0.internalDate?.secondsSince1970)
        }
        request(.append(accountID: accountID, mailbox: destination, messages: requests), tag: tag, then: .append)
    }

    mutating func appended(_ tag: String, _ stored: [AppendResult]?) {
        guard let stored else {
            no(tag, code: .tryCreate, "No such mailbox")
            return
        }
        let uids = IMAPSequenceSet(Self.ranges(stored.map(\.uid)))
        let code = IMAPResponseCode.appendUID(uidValidity: stored.first?.uidValidity ?? 0, uids: uids)
        let reply = IMAPStatusResponse(.ok, code: code, "APPEND completed")
        synchronize(tag, allowExpunge: true, then: .reply(.tagged(tag: tag, reply)))
    }
}
