import Core

extension IMAPSession {
    /// Brings the selected mailbox's view up to date and announces what changed (RFC 9051 §7.4,
    /// §5.2), then goes on with `after`. With `allowExpunge` false (FETCH, STORE, SEARCH by sequence
    /// number, RFC 9051 §7.5.1), removals are held back until a later command.
    mutating func synchronize(_ tag: String, allowExpunge: Bool, then after: AfterSync) {
        guard let current = view else {
            afterSync(tag, after)
            return
        }
        request(
            .changes(mailboxID: current.mailboxID, since: current.highestModSeq), tag: tag,
            then: .sync(allowExpunge: allowExpunge, then: after))
    }

    mutating func synchronized(_ tag: String, _ changes: MailboxChanges?, _ allowExpunge: Bool, then after: AfterSync) {
        guard var current = view else { return afterSync(tag, after) }
        guard let changes else {
            // Deleted by another session: RFC 2180 §3 lets the server end the session.
            emit(.untagged(IMAPStatusResponse(.bye, "The selected mailbox was deleted")))
            finish()
            return
        }
        let updates = current.apply(changes, allowExpunge: allowExpunge, qresync: qresync)
        view = current
        announce(updates)
        guard updates.contains(where: { if case .exists = $0 { true } else { false } }), !current.readOnly else {
            return afterSync(tag, after)
        }
        // The first read-write session to see new messages claims them as \Recent (RFC 3501 §2.3.2);
        // the updates above go out before the claim's database write.
        request(.claimRecent(mailboxID: current.mailboxID, upTo: current.uidNext), tag: tag, then: .claimRecent(then: after))
    }

    mutating func claimed(_ tag: String, _ firstUID: UInt32, then after: AfterSync) {
        view?.markRecent(from: firstUID)
        if !rev2, let current = view { emit(.data(.recent(UInt32(current.recent.count)))) }
        afterSync(tag, after)
    }

    private mutating func afterSync(_ tag: String, _ after: AfterSync) {
        switch after {
        case .reply(let response): emit(response)
        case .expunge(let set): expungeDeleted(tag, only: set)
        case .search(let job): evaluate(job)
        case .nothing: break
        }
    }
}
