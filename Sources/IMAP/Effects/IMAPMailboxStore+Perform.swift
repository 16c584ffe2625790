import Core

extension IMAPMailboxStore {
    /// Performs a store effect of an `IMAPSession` (every effect but `.login`, which the adapter
    /// answers with its authenticator). Errors become `.failed`.
    public func perform(_ effect: IMAPEffect) async -> IMAPEffectResult {
        do {
            return try await run(effect)
        } catch let failure as IMAPStoreFailure {
            return .failed(failure)
        } catch {
            return .failed(self.failure(error))
        }
    }

    private func run(_ effect: IMAPEffect) async throws -> IMAPEffectResult {
        switch effect {
        case .login:
            throw IMAPStoreFailure.internalError
        case .snapshot(let accountID, let name):
            guard let (info, index) = try await states(accountID: accountID, name: name) else { return .noSnapshot }
            return .snapshot(mailbox: info, index: index)
        case .changes(let mailboxID, let since):
            return .changes(try await changes(mailboxID: mailboxID, since: since))
        case .claimRecent(let mailboxID, let upTo):
            return .claimedRecent(firstUID: try await claimRecent(mailboxID: mailboxID, upTo: upTo))
        case .loadMessages(let mailboxID, let uids, let content, let byteBudget):
            return try await load(mailboxID: mailboxID, uids: uids, content: content, byteBudget: byteBudget)
        case .searchContent(let request):
            return await search(request)
        case .mailboxList(let accountID, let withSubscriptions, let withTotals):
            let all = try await mailboxes(accountID: accountID)
            let subscribed = withSubscriptions ? try await subscriptions(accountID: accountID) : []
            var totals: [Int64: IMAPMailboxTotals] = [:]
            if withTotals {
                for mailbox in all {
                    let (deleted, size) = try await deletedCountAndSize(mailboxID: mailbox.id)
                    totals[mailbox.id] = IMAPMailboxTotals(deleted: deleted, size: size)
                }
            }
            return .mailboxList(mailboxes: all, subscriptions: subscribed, totals: totals)
        case .status(let accountID, let name, let withTotals):
            guard let mailbox = try await mailbox(accountID: accountID, name: name) else { return .status(nil, nil) }
            guard withTotals else { return .status(mailbox, nil) }
            let (deleted, size) = try await deletedCountAndSize(mailboxID: mailbox.id)
            return .status(mailbox, IMAPMailboxTotals(deleted: deleted, size: size))
        case .storeFlags(let mailboxID, let uids, let operation, let flags, let unchangedSince):
            return .flagsStored(
                try await storeFlags(
                    mailboxID: mailboxID, uids: uids, operation: operation, flags: flags, unchangedSince: unchangedSince))
        case .copy(let accountID, let mailboxID, let uids, let destination, let move):
            guard try await mailbox(accountID: accountID, name: destination) != nil else {
                return .copied(nil)
            }
            return .copied(try await copy(mailboxID: mailboxID, uids: uids, to: destination, move: move))
        case .expunge(let mailboxID, let uids, let onlyDeleted):
            return .expunged(try await expunge(mailboxID: mailboxID, uids: uids, onlyDeleted: onlyDeleted))
        case .append(let accountID, let name, let messages):
            guard try await mailbox(accountID: accountID, name: name) != nil else { return .appended(nil) }
            return .appended(try await append(accountID: accountID, mailbox: name, messages: messages))
        case .create(let accountID, let name, let specialUse):
            return .tree(try await create(accountID: accountID, name: name, specialUse: specialUse))
        case .delete(let accountID, let name):
            return .tree(try await delete(accountID: accountID, name: name))
        case .rename(let accountID, let from, let to):
            return .tree(try await rename(accountID: accountID, from: from, to: to))
        case .subscribe(let accountID, let name, let subscribed):
            try await setSubscribed(accountID: accountID, name: name, subscribed)
            return .done
        case .quota(let accountID, let name):
            if let name, try await mailbox(accountID: accountID, name: name) == nil { return .quota(nil) }
            return .quota(try await storageUsage(accountID: accountID))
        }
    }
}
