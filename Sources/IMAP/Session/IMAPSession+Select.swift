import Core

extension IMAPSession {
    /// SELECT or EXAMINE on its way: the snapshot, the `\Recent` claim, the LIST item of IMAP4rev2
    /// and QRESYNC's resynchronisation are effects, in this order.
    struct SelectJob: Sendable {
        enum Stage: Sendable {
            case snapshot
            case claim
            case listItem
            case resync
        }

        var tag: String
        var readOnly: Bool
        var parameters: IMAPSelectParameters
        var stage = Stage.snapshot
        /// The view being opened, once the snapshot is in.
        var opened: MailboxView?
        var info: MailboxInfo?
        /// The mailbox's index as read: FLAGS and UNSEEN come from it.
        var index: MailboxIndex?
    }

    // MARK: SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 7162 §3.1.8, §3.2.5)

    mutating func select(_ tag: String, _ name: IMAPMailboxName, _ parameters: IMAPSelectParameters, readOnly: Bool) {
        savedSearch = []  // RFC 5182 §2.1: `$` is empty in a newly selected mailbox.
        if view != nil {
            // RFC 7162 §3.2.11, RFC 9051 §7.1: the previous mailbox is closed first.
            view = nil
            state = .authenticated
            emit(.untagged(IMAPStatusResponse(.ok, code: .closed, "Previous mailbox closed")))
        }
        if parameters.qresync != nil && !qresync {
            bad(tag, "QRESYNC is not enabled")
            return
        }
        if parameters.condStore { condStore = true }
        guard let name = mailboxName(name) else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        let job = SelectJob(tag: tag, readOnly: readOnly, parameters: parameters)
        request(.snapshot(accountID: accountID, name: name), tag: tag, then: .select(job))
    }

    mutating func select(_ job: SelectJob, _ result: IMAPEffectResult) {
        var job = job
        let tag = job.tag
        switch (job.stage, result) {
        case (.snapshot, .noSnapshot):
            no(tag, code: .nonexistent, "No such mailbox")
        case (.snapshot, .snapshot(let info, let index)):
            var opened = MailboxView(mailbox: info, index: index, readOnly: job.readOnly)
            job.info = info
            job.index = index
            if job.readOnly { opened.markLastRecent(info.recentCount) }
            job.opened = opened
            // EXAMINE claims nothing; with no recent message, the claim could only advance past
            // expunged UIDs (it stops at this snapshot's UIDNEXT), so SELECT spares the write.
            guard !job.readOnly && info.recentCount > 0 else { return opening(job) }
            job.stage = .claim
            request(.claimRecent(mailboxID: info.id, upTo: info.uidNext), tag: tag, then: .select(job))
        case (.claim, .claimedRecent(let first)):
            job.opened?.markRecent(from: first)
            opening(job)
        case (.listItem, .mailboxList(let mailboxes, _, _)):
            if let info = job.info {
                let attributes = attributes(of: info, among: mailboxes)
                emit(.data(.list(IMAPListItem(attributes: attributes, delimiter: Self.delimiter, name: info.name))))
            }
            resynchronizeOrFinish(job)
        case (.resync, .changes(let changes)):
            if let changes, let resync = job.parameters.qresync { resynchronized(resync, changes) }
            selected(job)
        default:
            emit(.tagged(tag: tag, Self.status(for: .internalError)))
        }
    }

    /// The mailbox is selected: its state is announced.
    private mutating func opening(_ job: SelectJob) {
        guard let opened = job.opened, let info = job.info, let index = job.index else { return }
        var job = job
        job.index = nil
        view = opened
        state = .selected
        announceFlags(keywords: index.keywords, readOnly: job.readOnly)
        emit(.data(.exists(UInt32(opened.count))))
        if !rev2 {
            emit(.data(.recent(UInt32(opened.recent.count))))
            if let first = index.firstUnseen {
                emit(.untagged(IMAPStatusResponse(.ok, code: .unseen(UInt32(first)), "First unseen")))
            }
        }
        emit(.untagged(IMAPStatusResponse(.ok, code: .uidValidity(info.uidValidity), "UIDs valid")))
        emit(.untagged(IMAPStatusResponse(.ok, code: .uidNext(info.uidNext), "Predicted next UID")))
        emit(.untagged(IMAPStatusResponse(.ok, code: .highestModSeq(UInt64(info.highestModSeq)), "Highest")))
        if rev2 {
            job.stage = .listItem
            request(.mailboxList(accountID: accountID, subscriptions: false, totals: false), tag: job.tag, then: .select(job))
            return
        }
        resynchronizeOrFinish(job)
    }

    private mutating func resynchronizeOrFinish(_ job: SelectJob) {
        guard let resync = job.parameters.qresync, let info = job.info, resync.uidValidity == info.uidValidity else {
            return selected(job)
        }
        var job = job
        job.stage = .resync
        request(.changes(mailboxID: info.id, since: Int64(clamping: resync.modSeq)), tag: job.tag, then: .select(job))
    }

    private mutating func selected(_ job: SelectJob) {
        ok(job.tag, code: job.readOnly ? .readOnly : .readWrite, job.readOnly ? "EXAMINE completed" : "SELECT completed")
    }

    /// RFC 7162 §3.2.5.1: what changed since the client's modseq, as VANISHED (EARLIER) and FETCH.
    private mutating func resynchronized(_ resync: IMAPQResyncParameters, _ changes: MailboxChanges) {
        guard let current = view else { return }
        var known: [ClosedRange<UInt32>]? = nil
        if let set = resync.knownUIDs { known = set.normalized(largest: max(current.uids.last ?? 0, current.uidNext &- 1)) }
        let vanished = changes.expunged.filter { uid in known?.contains { $0.contains(uid) } ?? true }
        if !vanished.isEmpty {
            emit(.data(.vanished(IMAPSequenceSet(Self.ranges(vanished)), earlier: true)))
        }
        for state in changes.changed {
            guard let sequence = current.sequence(of: state.uid) else { continue }
            emit(.data(.fetch(UInt32(sequence), [.uid(state.uid), .flags(flags(state)), .modSeq(UInt64(state.modSeq))])))
        }
    }
}
