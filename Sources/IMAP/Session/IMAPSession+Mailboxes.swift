import Store

extension IMAPSession {
    /// The hierarchy delimiter of every mailbox name (RFC 9051 §5.1.1).
    static let delimiter: Character = "/"

    var accountID: Int64 { account?.id ?? 0 }

    /// A mailbox name from the wire as stored: modified UTF-7 decoded (or UTF-8 under
    /// UTF8=ACCEPT/IMAP4rev2), INBOX canonical, a trailing delimiter dropped (RFC 9051 §6.3.4).
    /// Nil for names that cannot be mailbox names: invalid encoding, empty levels, controls.
    func mailboxName(_ name: IMAPMailboxName) -> String? {
        guard var text = name.decoded(utf8: utf8 || rev2) else { return nil }
        if text.count > 1, text.last == Self.delimiter { text.removeLast() }
        let levels = text.split(separator: Self.delimiter, omittingEmptySubsequences: false)
        guard !text.isEmpty, text.utf8.count <= 1000, !levels.contains(where: \.isEmpty),
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        if levels.count > 1, levels[0].uppercased() == "INBOX", levels[0] != "INBOX" {
            return "INBOX" + text.dropFirst(5)
        }
        return text
    }

    // MARK: SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 7162 §3.1.8, §3.2.5)

    func select(_ tag: String, _ name: IMAPMailboxName, _ parameters: IMAPSelectParameters, readOnly: Bool) async throws {
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
        guard let name = mailboxName(name),
            let mailbox = try await backend.store.mailbox(accountID: accountID, name: name),
            let (info, messages) = try await backend.store.states(mailboxID: mailbox.id)
        else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        var opened = MailboxView(mailbox: info, messages: messages, readOnly: readOnly)
        if readOnly {
            opened.markLastRecent(info.recentCount)
        } else {
            opened.markRecent(from: try await backend.store.claimRecent(mailboxID: info.id, upTo: info.uidNext))
        }
        view = opened
        state = .selected
        announceFlags(keywords: messages.flatMap(\.flags).filter { !$0.hasPrefix("\\") }, readOnly: readOnly)
        emit(.data(.exists(UInt32(opened.count))))
        if !rev2 {
            emit(.data(.recent(UInt32(opened.recent.count))))
            if let first = messages.firstIndex(where: { !$0.flags.contains("\\Seen") }) {
                emit(.untagged(IMAPStatusResponse(.ok, code: .unseen(UInt32(first + 1)), "First unseen")))
            }
        }
        emit(.untagged(IMAPStatusResponse(.ok, code: .uidValidity(info.uidValidity), "UIDs valid")))
        emit(.untagged(IMAPStatusResponse(.ok, code: .uidNext(info.uidNext), "Predicted next UID")))
        emit(.untagged(IMAPStatusResponse(.ok, code: .highestModSeq(UInt64(info.highestModSeq)), "Highest")))
        if rev2 {
            emit(.data(.list(IMAPListItem(attributes: try await attributes(of: info), delimiter: Self.delimiter, name: info.name))))
        }
        if let resync = parameters.qresync, resync.uidValidity == info.uidValidity {
            try await resynchronize(resync)
        }
        ok(tag, code: readOnly ? .readOnly : .readWrite, readOnly ? "EXAMINE completed" : "SELECT completed")
    }

    /// RFC 7162 §3.2.5.1: what changed since the client's modseq, as VANISHED (EARLIER) and FETCH.
    private func resynchronize(_ resync: IMAPQResyncParameters) async throws {
        guard let current = view,
            let changes = try await backend.store.changes(mailboxID: current.mailboxID, since: Int64(clamping: resync.modSeq))
        else { return }
        var known: [ClosedRange<UInt32>]? = nil
        if let set = resync.knownUIDs { known = set.normalized(largest: max(current.uids.last ?? 0, current.uidNext &- 1)) }
        let vanished = changes.expunged.filter { uid in known?.contains { $0.contains(uid) } ?? true }
        if !vanished.isEmpty {
            emit(.data(.vanished(IMAPSequenceSet(Self.ranges(vanished)), earlier: true)))
        }
        for state in changes.changed {
            guard let sequence = current.sequence(of: state.uid) else { continue }
            emit(
                .data(
                    .fetch(
                        UInt32(sequence),
                        [.uid(state.uid), .flags(flags(state)), .modSeq(UInt64(state.modSeq))])))
        }
    }

    /// CLOSE (RFC 9051 §6.4.1) expunges `\Deleted` messages silently; UNSELECT (RFC 3691) does not.
    func close(_ tag: String, expunge: Bool) async throws {
        if expunge, let current = view, !current.readOnly {
            // Every message flagged \Deleted in the index, including by other sessions.
            try await backend.store.expunge(mailboxID: current.mailboxID, uids: current.uids, onlyDeleted: true)
        }
        view = nil
        savedSearch = []
        state = .authenticated
        ok(tag, expunge ? "CLOSE completed" : "UNSELECT completed")
    }

    // MARK: CREATE, DELETE, RENAME, SUBSCRIBE (RFC 9051 §6.3.4–§6.3.8, RFC 6154 §3)

    func create(_ tag: String, _ name: IMAPMailboxName, _ uses: [String]) async throws {
        guard let name = mailboxName(name), name != "INBOX" else {
            no(tag, code: .cannot, "Invalid mailbox name")
            return
        }
        var specialUse: SpecialUse?
        if let use = uses.first {
            guard uses.count == 1, let known = SpecialUse.allCases.first(where: { $0.rawValue.lowercased() == use.lowercased() })
            else {
                no(tag, code: .useAttr, "Unsupported special-use attribute")
                return
            }
            specialUse = known
        }
        if try await backend.store.mailbox(accountID: accountID, name: name) != nil {
            no(tag, code: .alreadyExists, "Mailbox already exists")
            return
        }
        try await createParents(of: name)
        try await backend.store.createMailbox(accountID: accountID, name: name, specialUse: specialUse)
        ok(tag, "CREATE completed")
    }

    /// RFC 9051 §6.3.4: superior names needed by a new name are created too.
    private func createParents(of name: String) async throws {
        let levels = name.split(separator: Self.delimiter)
        guard levels.count > 1 else { return }
        for depth in 1..<levels.count {
            let parent = levels[..<depth].joined(separator: String(Self.delimiter))
            if parent != "INBOX", try await backend.store.mailbox(accountID: accountID, name: parent) == nil {
                do {
                    try await backend.store.createMailbox(accountID: accountID, name: parent)
                } catch StoreError.mailboxExists {}
            }
        }
    }

    func delete(_ tag: String, _ name: IMAPMailboxName) async throws {
        guard let name = mailboxName(name), name != "INBOX" else {
            no(tag, code: .cannot, "INBOX cannot be deleted")
            return
        }
        let all = try await backend.store.mailboxes(accountID: accountID)
        guard let mailbox = all.first(where: { $0.name == name }) else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        // RFC 9051 §6.3.5: a server may refuse to delete a name with inferiors.
        if all.contains(where: { $0.name.hasPrefix(name + String(Self.delimiter)) }) {
            no(tag, code: .hasChildren, "Mailbox has inferior mailboxes; delete them first")
            return
        }
        if view?.mailboxID == mailbox.id {
            view = nil
            savedSearch = []
            state = .authenticated
        }
        try await backend.store.deleteMailbox(accountID: accountID, name: name)
        ok(tag, "DELETE completed")
    }

    func rename(_ tag: String, _ from: IMAPMailboxName, _ to: IMAPMailboxName) async throws {
        guard let old = mailboxName(from), let new = mailboxName(to), new != "INBOX" else {
            no(tag, code: .cannot, "Invalid mailbox name")
            return
        }
        guard try await backend.store.mailbox(accountID: accountID, name: old) != nil else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        if try await backend.store.mailbox(accountID: accountID, name: new) != nil {
            no(tag, code: .alreadyExists, "Mailbox already exists")
            return
        }
        try await createParents(of: new)
        if old == "INBOX" {
            // RFC 9051 §6.3.6: INBOX's messages move to the new mailbox; INBOX stays, empty.
            try await backend.store.createMailbox(accountID: accountID, name: new)
            if let inbox = try await backend.store.states(mailboxID: try await mailboxID("INBOX")) {
                try await backend.store.copy(mailboxID: inbox.mailbox.id, uids: inbox.messages.map(\.uid), to: new, move: true)
            }
        } else {
            try await backend.store.renameMailbox(accountID: accountID, from: old, to: new, delimiter: Self.delimiter)
        }
        ok(tag, "RENAME completed")
    }

    private func mailboxID(_ name: String) async throws -> Int64 {
        guard let mailbox = try await backend.store.mailbox(accountID: accountID, name: name) else {
            throw StoreError.noSuchMailbox(name)
        }
        return mailbox.id
    }

    func subscribe(_ tag: String, _ name: IMAPMailboxName, _ subscribed: Bool) async throws {
        guard let name = mailboxName(name) else {
            no(tag, code: .cannot, "Invalid mailbox name")
            return
        }
        try await backend.store.setSubscribed(accountID: accountID, name: name, subscribed)
        ok(tag, subscribed ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed")
    }

    // MARK: STATUS (RFC 9051 §6.3.11) and NAMESPACE (RFC 2342)

    func status(_ tag: String, _ name: IMAPMailboxName, _ items: [IMAPStatusAttribute]) async throws {
        guard let name = mailboxName(name), let mailbox = try await backend.store.mailbox(accountID: accountID, name: name)
        else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        if items.contains(.highestModSeq) { condStore = true }
        emit(.data(.status(mailbox: mailbox.name, try await statusValues(mailbox, items))))
        ok(tag, "STATUS completed")
    }

    func statusValues(_ mailbox: MailboxInfo, _ items: [IMAPStatusAttribute]) async throws -> [IMAPStatusValue] {
        var totals: (deleted: Int, size: Int64)?
        if items.contains(.deleted) || items.contains(.size) {
            totals = try await backend.store.deletedCountAndSize(mailboxID: mailbox.id)
        }
        return items.map { item in
            switch item {
            case .messages: IMAPStatusValue(item, UInt64(mailbox.messageCount))
            case .recent: IMAPStatusValue(item, UInt64(mailbox.recentCount))
            case .uidNext: IMAPStatusValue(item, UInt64(mailbox.uidNext))
            case .uidValidity: IMAPStatusValue(item, UInt64(mailbox.uidValidity))
            case .unseen: IMAPStatusValue(item, UInt64(mailbox.unseenCount))
            case .deleted: IMAPStatusValue(item, UInt64(totals?.deleted ?? 0))
            case .size: IMAPStatusValue(item, UInt64(max(0, totals?.size ?? 0)))
            case .highestModSeq: IMAPStatusValue(item, UInt64(mailbox.highestModSeq))
            case .appendLimit: IMAPStatusValue(item, UInt64(configuration.appendLimit))
            }
        }
    }

    func namespace(_ tag: String) {
        emit(.data(.namespace(personal: [IMAPNamespace(prefix: "", delimiter: Self.delimiter)], otherUsers: nil, shared: nil)))
        ok(tag, "NAMESPACE completed")
    }

    // MARK: QUOTA (RFC 9208): one root per account, `""`, with the STORAGE resource in KiB.

    func getQuota(_ tag: String, root: [UInt8]) async throws {
        guard root.isEmpty else {
            no(tag, code: .nonexistent, "No such quota root")
            return
        }
        try await emitQuotaUsage()
        ok(tag, "GETQUOTA completed")
    }

    func getQuotaRoot(_ tag: String, _ name: IMAPMailboxName) async throws {
        guard let name = mailboxName(name), try await backend.store.mailbox(accountID: accountID, name: name) != nil else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        emit(.data(.quotaRoot(mailbox: name, roots: [""])))
        try await emitQuotaUsage()
        ok(tag, "GETQUOTAROOT completed")
    }

    func emitQuotaUsage() async throws {
        let usage = try await backend.store.storageUsage(accountID: accountID)
        var resources: [IMAPQuotaUsage] = []
        if usage.quotaBytes > 0 {
            resources.append(
                IMAPQuotaUsage(
                    resource: "STORAGE", usage: UInt64(max(0, usage.usedBytes) / 1024), limit: UInt64(usage.quotaBytes / 1024)))
        }
        emit(.data(.quota(root: "", resources)))
    }
}
