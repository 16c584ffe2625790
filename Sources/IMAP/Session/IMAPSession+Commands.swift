extension IMAPSession {
    /// How a command goes on once the effect it asked for is answered.
    enum Step: Sendable {
        case login
        case sync(allowExpunge: Bool, then: AfterSync)
        case claimRecent(then: AfterSync)
        case select(SelectJob)
        case close(expunge: Bool)
        case tree(TreeCommand)
        case subscribe(Bool)
        case list(ListJob)
        case lsub(MailboxPattern)
        case status([IMAPStatusAttribute])
        case quota(root: String?)
        case appendCheck(refusal: IMAPStatusResponse)
        case append
        case store(StoreJob)
        case copy(uid: Bool, move: Bool)
        case expunge(only: IMAPSequenceSet?)
        case fetch(FetchJob)
        case search(SearchJob)
    }

    enum TreeCommand: Sendable {
        case create
        case delete
        case rename
    }

    /// What follows a synchronisation of the selected mailbox.
    enum AfterSync: Sendable {
        /// The command's tagged response.
        case reply(IMAPResponse)
        /// EXPUNGE and UID EXPUNGE go on.
        case expunge(IMAPSequenceSet?)
        /// SEARCH evaluates.
        case search(SearchJob)
        /// IDLE: nothing (updates were announced).
        case nothing
    }

    /// Continues the command waiting for `result`.
    mutating func proceed(_ step: Step, tag: String, _ result: IMAPEffectResult) {
        switch (step, result) {
        case (.login, .login(let outcome)): loggedIn(tag, outcome)
        case (.sync(let allowExpunge, let after), .changes(let changes)): synchronized(tag, changes, allowExpunge, then: after)
        case (.claimRecent(let after), .claimedRecent(let first)): claimed(tag, first, then: after)
        case (.select(let job), _): select(job, result)
        case (.close(let expunge), .expunged): closed(tag, expunge: expunge)
        case (.tree(let command), .tree(let outcome)): tree(tag, command, outcome)
        case (.subscribe(let subscribed), .done): ok(tag, subscribed ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed")
        case (.list(let job), .mailboxList(let mailboxes, let subscriptions, let totals)):
            list(job, mailboxes, Set(subscriptions), totals)
        case (.lsub(let matcher), .mailboxList(let mailboxes, let subscriptions, _)):
            lsub(tag, matcher, mailboxes, Set(subscriptions))
        case (.status(let items), .status(let mailbox, let totals)): status(tag, items, mailbox, totals)
        case (.quota(let root), .quota(let usage)): quota(tag, root: root, usage)
        case (.appendCheck(let refusal), .status(let mailbox, _)):
            emit(.tagged(tag: tag, mailbox == nil ? IMAPStatusResponse(.no, code: .tryCreate, "No such mailbox") : refusal))
        case (.append, .appended(let stored)): appended(tag, stored)
        case (.store(let job), .flagsStored(let result)): stored(job, result)
        case (.copy(let uid, let move), .copied(let result)): copied(tag, result, uid: uid, move: move)
        case (.expunge(let set), .expunged(let removed)): expunged(tag, removed, only: set)
        case (.fetch(let job), _): fetch(job, result)
        case (.search(let job), _): search(job, result)
        default:
            // A result that does not answer the effect: a bug in the adapter.
            emit(.tagged(tag: tag, Self.status(for: .internalError)))
        }
    }

    // MARK: Commands

    mutating func handle(frame: [UInt8]) {
        parser.utf8Accept = utf8 || rev2
        let command: IMAPCommand
        do {
            command = try parser.parse(frame)
        } catch {
            let status = IMAPStatusResponse(.bad, error.reason)
            emit(error.tag.map { .tagged(tag: $0, status) } ?? .untagged(status))
            return
        }
        guard allowed(command.kind) else {
            let problem =
                state == .notAuthenticated ? "Not authenticated" : state == .authenticated ? "No mailbox selected" : "Wrong state"
            emit(.tagged(tag: command.tag, IMAPStatusResponse(.bad, "\(problem) for this command")))
            return
        }
        dispatch(command)
    }

    /// RFC 9051 §3: which commands each state accepts.
    private func allowed(_ kind: IMAPCommandKind) -> Bool {
        switch kind {
        case .capability, .noop, .logout, .id, .unknown: return true
        case .startTLS, .authenticate, .login: return state == .notAuthenticated
        // RFC 5161 §3.1 names the authenticated state; like Dovecot, the selected state is accepted too.
        case .enable: return state == .authenticated || state == .selected
        case .check, .close, .unselect, .expunge, .uidExpunge, .search, .fetch, .store, .copy, .move:
            return state == .selected
        default: return state == .authenticated || state == .selected
        }
    }

    private mutating func dispatch(_ command: IMAPCommand) {
        let tag = command.tag
        switch command.kind {
        case .capability:
            emit(.data(.capability(capabilities)))
            ok(tag, "CAPABILITY completed")
        case .noop, .check:
            let text = command.kind == .noop ? "NOOP completed" : "CHECK completed"
            synchronize(tag, allowExpunge: true, then: .reply(.tagged(tag: tag, IMAPStatusResponse(.ok, text))))
        case .logout:
            emit(.untagged(IMAPStatusResponse(.bye, "\(configuration.hostname) logging out")))
            ok(tag, "LOGOUT completed")
            finish()
        case .startTLS: startTLS(tag)
        case .authenticate(let mechanism, let initial): authenticate(tag, mechanism: mechanism, initialResponse: initial)
        case .login(let user, let password): login(tag, user: user, password: password)
        case .enable(let names): enable(tag, names)
        case .id: id(tag)
        case .select(let name, let parameters): select(tag, name, parameters, readOnly: false)
        case .examine(let name, let parameters): select(tag, name, parameters, readOnly: true)
        case .create(let name, let uses): create(tag, name, uses)
        case .delete(let name): delete(tag, name)
        case .rename(let from, let to): rename(tag, from, to)
        case .subscribe(let name): subscribe(tag, name, true)
        case .unsubscribe(let name): subscribe(tag, name, false)
        case .list(let list): self.list(tag, list)
        case .lsub(let reference, let pattern): lsub(tag, reference, pattern)
        case .namespace: namespace(tag)
        case .status(let name, let items): status(tag, name, items)
        case .append(let name, let messages): append(tag, name, messages)
        case .idle: idle(tag)
        case .close: close(tag, expunge: true)
        case .unselect: close(tag, expunge: false)
        case .expunge: expunge(tag, only: nil)
        case .uidExpunge(let set): expunge(tag, only: set)
        case .search(let search, let uid): self.search(tag, search, uid: uid)
        case .fetch(let set, let attributes, let modifiers, let uid): fetch(tag, set, attributes, modifiers, uid: uid)
        case .store(let set, let action, let unchangedSince, let uid):
            store(tag, set, action, unchangedSince: unchangedSince, uid: uid)
        case .copy(let set, let name, let uid): copy(tag, set, name, uid: uid, move: false)
        case .move(let set, let name, let uid): copy(tag, set, name, uid: uid, move: true)
        case .getQuota(let root): getQuota(tag, root: root)
        case .getQuotaRoot(let name): getQuotaRoot(tag, name)
        case .setQuota:
            // RFC 9208 §4.1.4: users may not change their own limits.
            no(tag, code: .noPerm, "Quota limits are set by the administrator")
        case .unknown(let name):
            emit(.tagged(tag: tag, IMAPStatusResponse(.bad, "Unknown command \(name.prefix(40))")))
        }
    }
}
