import Core

extension IMAPSession {
    /// The hierarchy delimiter of every mailbox name (RFC 9051 §5.1.1).
    public static let delimiter: Character = "/"

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

    /// CLOSE (RFC 9051 §6.4.1) expunges `\Deleted` messages silently; UNSELECT (RFC 3691) does not.
    mutating func close(_ tag: String, expunge: Bool) {
        if expunge, let current = view, !current.readOnly {
            // Every message flagged \Deleted in the index, including by other sessions.
            request(
                .expunge(mailboxID: current.mailboxID, uids: current.uids, onlyDeleted: true), tag: tag,
                then: .close(expunge: true))
            return
        }
        closed(tag, expunge: expunge)
    }

    mutating func closed(_ tag: String, expunge: Bool) {
        view = nil
        savedSearch = []
        state = .authenticated
        ok(tag, expunge ? "CLOSE completed" : "UNSELECT completed")
    }

    // MARK: CREATE, DELETE, RENAME, SUBSCRIBE (RFC 9051 §6.3.4–§6.3.8, RFC 6154 §3)

    mutating func create(_ tag: String, _ name: IMAPMailboxName, _ uses: [String]) {
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
        request(.create(accountID: accountID, name: name, specialUse: specialUse), tag: tag, then: .tree(.create))
    }

    mutating func delete(_ tag: String, _ name: IMAPMailboxName) {
        guard let name = mailboxName(name), name != "INBOX" else {
            no(tag, code: .cannot, "INBOX cannot be deleted")
            return
        }
        request(.delete(accountID: accountID, name: name), tag: tag, then: .tree(.delete))
    }

    mutating func rename(_ tag: String, _ from: IMAPMailboxName, _ to: IMAPMailboxName) {
        guard let old = mailboxName(from), let new = mailboxName(to), new != "INBOX" else {
            no(tag, code: .cannot, "Invalid mailbox name")
            return
        }
        request(.rename(accountID: accountID, from: old, to: new), tag: tag, then: .tree(.rename))
    }

    mutating func tree(_ tag: String, _ command: TreeCommand, _ outcome: IMAPTreeOutcome) {
        switch outcome {
        case .nonexistent: no(tag, code: .nonexistent, "No such mailbox")
        case .alreadyExists: no(tag, code: .alreadyExists, "Mailbox already exists")
        case .hasChildren: no(tag, code: .hasChildren, "Mailbox has inferior mailboxes; delete them first")
        case .done(let deleted):
            if let deleted, view?.mailboxID == deleted {
                view = nil
                savedSearch = []
                state = .authenticated
            }
            switch command {
            case .create: ok(tag, "CREATE completed")
            case .delete: ok(tag, "DELETE completed")
            case .rename: ok(tag, "RENAME completed")
            }
        }
    }

    mutating func subscribe(_ tag: String, _ name: IMAPMailboxName, _ subscribed: Bool) {
        guard let name = mailboxName(name) else {
            no(tag, code: .cannot, "Invalid mailbox name")
            return
        }
        request(.subscribe(accountID: accountID, name: name, subscribed: subscribed), tag: tag, then: .subscribe(subscribed))
    }

    // MARK: STATUS (RFC 9051 §6.3.11) and NAMESPACE (RFC 2342)

    mutating func status(_ tag: String, _ name: IMAPMailboxName, _ items: [IMAPStatusAttribute]) {
        guard let name = mailboxName(name) else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        request(
            .status(accountID: accountID, name: name, totals: Self.needsTotals(items)), tag: tag, then: .status(items))
    }

    mutating func status(_ tag: String, _ items: [IMAPStatusAttribute], _ mailbox: MailboxInfo?, _ totals: IMAPMailboxTotals?) {
        guard let mailbox else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        if items.contains(.highestModSeq) { condStore = true }
        emit(.data(.status(mailbox: mailbox.name, statusValues(mailbox, items, totals))))
        ok(tag, "STATUS completed")
    }

    /// STATUS DELETED and SIZE need the store to add up the mailbox's messages.
    static func needsTotals(_ items: [IMAPStatusAttribute]) -> Bool {
        items.contains(.deleted) || items.contains(.size)
    }

    func statusValues(_ mailbox: MailboxInfo, _ items: [IMAPStatusAttribute], _ totals: IMAPMailboxTotals?) -> [IMAPStatusValue] {
        items.map { item in
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

    mutating func namespace(_ tag: String) {
        emit(.data(.namespace(personal: [IMAPNamespace(prefix: "", delimiter: Self.delimiter)], otherUsers: nil, shared: nil)))
        ok(tag, "NAMESPACE completed")
    }

    // MARK: QUOTA (RFC 9208): one root per account, `""`, with the STORAGE resource in KiB.

    mutating func getQuota(_ tag: String, root: [UInt8]) {
        guard root.isEmpty else {
            no(tag, code: .nonexistent, "No such quota root")
            return
        }
        request(.quota(accountID: accountID, mailbox: nil), tag: tag, then: .quota(root: nil))
    }

    mutating func getQuotaRoot(_ tag: String, _ name: IMAPMailboxName) {
        guard let name = mailboxName(name) else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        request(.quota(accountID: accountID, mailbox: name), tag: tag, then: .quota(root: name))
    }

    /// `root` is the mailbox GETQUOTAROOT named; nil for GETQUOTA.
    mutating func quota(_ tag: String, root name: String?, _ usage: StorageUsage?) {
        guard let usage else {
            no(tag, code: .nonexistent, "No such mailbox")
            return
        }
        if let name { emit(.data(.quotaRoot(mailbox: name, roots: [""]))) }
        var resources: [IMAPQuotaUsage] = []
        if usage.quotaBytes > 0 {
            resources.append(
                IMAPQuotaUsage(
                    resource: "STORAGE", usage: UInt64(max(0, usage.usedBytes) / 1024), limit: UInt64(usage.quotaBytes / 1024)))
        }
        emit(.data(.quota(root: "", resources)))
        ok(tag, name == nil ? "GETQUOTA completed" : "GETQUOTAROOT completed")
    }
}
