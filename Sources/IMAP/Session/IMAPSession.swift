import Directory
import Logging
import Store

/// One IMAP connection's protocol logic (RFC 9051, RFC 3501 and the extensions in
/// `IMAPCapabilities`): states, command dispatch, mailbox synchronisation and responses.
///
/// It runs in one task and talks to its connection only through `IMAPTransport`, so tests drive
/// it with an in-memory transport; the store and directory are reached through `IMAPBackend`.
/// Commands are handled one at a time in the order received (RFC 9051 §5.5 lets a server
/// serialise pipelined commands).
public final class IMAPSession {
    enum State {
        case notAuthenticated
        case authenticated
        case selected
        case logout
    }

    let transport: any IMAPTransport
    let backend: IMAPBackend
    let configuration: IMAPConfiguration
    let clientIP: String
    let protocolName: String
    var logger: Logger

    var state = State.notAuthenticated
    var isTLS: Bool
    var account: Account?
    var view: MailboxView?
    /// Extensions the client turned on (RFC 5161): `IMAP4REV2`, `CONDSTORE`, `QRESYNC`, `UTF8=ACCEPT`.
    var enabled: Set<String> = []
    /// CONDSTORE is active for the session (RFC 7162 §3.1: enabled, or a CONDSTORE-aware command used).
    var condStore = false
    /// Keywords of the selected mailbox named in the last FLAGS response, by lowercased name: a
    /// keyword outside it is announced by a new FLAGS response before a FETCH shows it (RFC 9051 §7.3.5).
    var announcedKeywords: [String: String] = [:]
    /// `SEARCH RETURN (SAVE)` result as UIDs (RFC 5182).
    var savedSearch: Set<UInt32> = []
    var parser = IMAPCommandParser()
    var encoder = IMAPResponseEncoder()
    private var output: [UInt8] = []
    var lastInput = ContinuousClock.now
    /// Failed logins on this connection (`Authenticator.maxFailuresPerConnection`).
    var loginFailures = 0
    /// Ends this session when its account is revoked; set at login.
    var registration: SessionRegistration?

    public init(
        transport: any IMAPTransport, backend: IMAPBackend, configuration: IMAPConfiguration, clientIP: String,
        isTLS: Bool, protocolName: String = "imap", logger: Logger
    ) {
        self.transport = transport
        self.backend = backend
        self.configuration = configuration
        self.clientIP = clientIP
        self.isTLS = isTLS
        self.protocolName = protocolName
        self.logger = logger
    }

    var qresync: Bool { enabled.contains("QRESYNC") }
    var rev2: Bool { enabled.contains("IMAP4REV2") }
    var utf8: Bool { enabled.contains("UTF8=ACCEPT") }

    // MARK: The connection

    /// Greets the client and serves commands until LOGOUT, a timeout, shutdown or disconnect.
    public func run() async {
        defer { registration?.end() }
        emit(.untagged(IMAPStatusResponse(.ok, code: .capability(capabilities), "\(configuration.hostname) Posta IMAP ready")))
        await flush()
        while state != .logout {
            let input = await transport.next()
            switch input {
            case .frame(let frame):
                lastInput = .now
                await handle(frame: frame)
            case .line:
                // A line outside AUTHENTICATE/IDLE cannot happen: the framer is only put in
                // line mode by those commands.
                continue
            case .framingError(let error):
                lastInput = .now
                emitFramingError(error)
            case .mailboxChanged:
                continue
            case .idle:
                if await timedOut() { return }
            case .shutdown:
                emit(.untagged(IMAPStatusResponse(.bye, "\(configuration.hostname) server shutting down")))
                await finish()
                return
            case .revoked:
                await endRevoked()
                return
            case .closed:
                state = .logout
            }
            await flush()
        }
        await transport.close()
    }

    /// RFC 9051 §5.4 autologout: true when the session ended.
    private func timedOut() async -> Bool {
        let limit = account == nil ? configuration.loginTimeout : configuration.autologout
        guard ContinuousClock.now - lastInput >= limit else { return false }
        logger.info("autologout")
        emit(.untagged(IMAPStatusResponse(.bye, "Autologout; idle for too long")))
        await finish()
        return true
    }

    /// Flushes and closes.
    func finish() async {
        state = .logout
        await flush()
        await transport.close()
    }

    private func emitFramingError(_ error: IMAPFramingError) {
        switch error {
        case .lineTooLong(let tag):
            let status = IMAPStatusResponse(.bad, "Command line too long")
            emit(tag.map { .tagged(tag: $0, status) } ?? .untagged(status))
        case .literalTooLarge(let tag, _, _), .frameTooLarge(let tag, _):
            // RFC 9051 §7.1 TOOBIG; RFC 7888 §4.
            let status = IMAPStatusResponse(.no, code: .tooBig, "Literal exceeds the size limit")
            emit(tag.map { .tagged(tag: $0, status) } ?? .untagged(IMAPStatusResponse(.bad, code: .tooBig, status.text)))
        }
    }

    // MARK: Commands

    private func handle(frame: [UInt8]) async {
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
            let where_ = state == .notAuthenticated ? "Not authenticated" : state == .authenticated ? "No mailbox selected" : "Wrong state"
            emit(.tagged(tag: command.tag, IMAPStatusResponse(.bad, "\(where_) for this command")))
            return
        }
        do {
            try await dispatch(command)
        } catch let error as StoreError {
            emit(.tagged(tag: command.tag, Self.status(for: error)))
        } catch {
            logger.error("command failed", metadata: ["error": "\(error)"])
            emit(.tagged(tag: command.tag, IMAPStatusResponse(.no, code: .serverBug, "Internal error; try again later")))
        }
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

    private func dispatch(_ command: IMAPCommand) async throws {
        let tag = command.tag
        switch command.kind {
        case .capability:
            emit(.data(.capability(capabilities)))
            ok(tag, "CAPABILITY completed")
        case .noop, .check:
            try await synchronize(allowExpunge: true)
            ok(tag, command.kind == .noop ? "NOOP completed" : "CHECK completed")
        case .logout:
            emit(.untagged(IMAPStatusResponse(.bye, "\(configuration.hostname) logging out")))
            ok(tag, "LOGOUT completed")
            state = .logout
        case .startTLS: try await startTLS(tag)
        case .authenticate(let mechanism, let initial): await authenticate(tag, mechanism: mechanism, initialResponse: initial)
        case .login(let user, let password): await login(tag, user: user, password: password)
        case .enable(let names): enable(tag, names)
        case .id: id(tag)
        case .select(let name, let parameters): try await select(tag, name, parameters, readOnly: false)
        case .examine(let name, let parameters): try await select(tag, name, parameters, readOnly: true)
        case .create(let name, let uses): try await create(tag, name, uses)
        case .delete(let name): try await delete(tag, name)
        case .rename(let from, let to): try await rename(tag, from, to)
        case .subscribe(let name): try await subscribe(tag, name, true)
        case .unsubscribe(let name): try await subscribe(tag, name, false)
        case .list(let list): try await self.list(tag, list)
        case .lsub(let reference, let pattern): try await lsub(tag, reference, pattern)
        case .namespace: namespace(tag)
        case .status(let name, let items): try await status(tag, name, items)
        case .append(let name, let messages): try await append(tag, name, messages)
        case .idle: try await idle(tag)
        case .close: try await close(tag, expunge: true)
        case .unselect: try await close(tag, expunge: false)
        case .expunge: try await expunge(tag, only: nil)
        case .uidExpunge(let set): try await expunge(tag, only: set)
        case .search(let search, let uid): try await self.search(tag, search, uid: uid)
        case .fetch(let set, let attributes, let modifiers, let uid):
            try await fetch(tag, set, attributes, modifiers, uid: uid)
        case .store(let set, let action, let unchangedSince, let uid):
            try await store(tag, set, action, unchangedSince: unchangedSince, uid: uid)
        case .copy(let set, let name, let uid): try await copy(tag, set, name, uid: uid, move: false)
        case .move(let set, let name, let uid): try await copy(tag, set, name, uid: uid, move: true)
        case .getQuota(let root): try await getQuota(tag, root: root)
        case .getQuotaRoot(let name): try await getQuotaRoot(tag, name)
        case .setQuota:
            // RFC 9208 §4.1.4: users may not change their own limits.
            no(tag, code: .noPerm, "Quota limits are set by the administrator")
        case .unknown(let name):
            emit(.tagged(tag: tag, IMAPStatusResponse(.bad, "Unknown command \(name.prefix(40))")))
        }
    }

    // MARK: Responses

    func emit(_ response: IMAPResponse) {
        // RFC 9051 §5.1: IMAP4rev2 names are UTF-8, as under UTF8=ACCEPT (RFC 6855 §3).
        encoder.utf8Accept = utf8 || rev2
        encoder.encode(response, into: &output)
    }

    /// Appends raw bytes already encoded (large FETCH literals).
    func emitRaw(_ bytes: [UInt8]) { output += bytes }

    func ok(_ tag: String, code: IMAPResponseCode? = nil, _ text: String) {
        emit(.tagged(tag: tag, IMAPStatusResponse(.ok, code: code, text)))
    }

    func no(_ tag: String, code: IMAPResponseCode? = nil, _ text: String) {
        emit(.tagged(tag: tag, IMAPStatusResponse(.no, code: code, text)))
    }

    func bad(_ tag: String, code: IMAPResponseCode? = nil, _ text: String) {
        emit(.tagged(tag: tag, IMAPStatusResponse(.bad, code: code, text)))
    }

    /// Sends what is buffered once it is large, so big FETCH replies stream with back-pressure.
    func flushIfLarge() async {
        if output.count >= 256 * 1024 { await flush() }
    }

    func flush() async {
        guard !output.isEmpty else { return }
        let bytes = output
        output = []
        do {
            try await transport.send(bytes)
        } catch {
            state = .logout
        }
    }

    static func status(for error: StoreError) -> IMAPStatusResponse {
        switch error {
        case .noSuchMailbox: IMAPStatusResponse(.no, code: .nonexistent, "No such mailbox")
        case .mailboxExists: IMAPStatusResponse(.no, code: .alreadyExists, "Mailbox already exists")
        case .invalidMailboxName: IMAPStatusResponse(.no, code: .cannot, "Invalid mailbox name")
        case .invalidFlag(let flag): IMAPStatusResponse(.bad, "Invalid flag \(flag.prefix(40))")
        case .overQuota: IMAPStatusResponse(.no, code: .overQuota, "Quota exceeded")
        case .invalidAddress, .notProvisioned, .io: IMAPStatusResponse(.no, code: .serverBug, "Mail store unavailable")
        }
    }

    // MARK: Mailbox synchronisation

    /// Brings the selected mailbox's view up to date and announces what changed (RFC 9051
    /// §7.4, §5.2). With `allowExpunge` false (FETCH, STORE, SEARCH by sequence number, RFC
    /// 9051 §7.5.1), removals are held back until a later command.
    /// With `push` (IDLE), the updates are sent before the `\Recent` claim's database write, so
    /// a new message reaches the client as soon as it is read from the index.
    func synchronize(allowExpunge: Bool, push: Bool = false) async throws {
        guard var current = view else { return }
        guard let changes = try await backend.store.changes(mailboxID: current.mailboxID, since: current.highestModSeq)
        else {
            // Deleted by another session: RFC 2180 §3 lets the server end the session.
            emit(.untagged(IMAPStatusResponse(.bye, "The selected mailbox was deleted")))
            await finish()
            return
        }
        let updates = current.apply(changes, allowExpunge: allowExpunge, qresync: qresync)
        view = current
        announce(updates)
        guard updates.contains(where: { if case .exists = $0 { true } else { false } }), !current.readOnly else { return }
        if push { await flush() }
        // The first read-write session to see new messages claims them as \Recent (RFC 3501 §2.3.2).
        current.markRecent(from: try await backend.store.claimRecent(mailboxID: current.mailboxID, upTo: current.uidNext))
        view = current
        if !rev2 { emit(.data(.recent(UInt32(current.recent.count)))) }
    }

    /// A message's flags as this session reports them: with `\Recent` for IMAP4rev1 clients. A keyword
    /// the client has not been told of yet is announced first, by FLAGS and PERMANENTFLAGS.
    func flags(_ state: MessageState) -> [IMAPFlag] {
        let fresh = state.flags.filter { !$0.hasPrefix("\\") && announcedKeywords[$0.lowercased()] == nil }
        if !fresh.isEmpty, let current = view {
            announceFlags(keywords: Array(announcedKeywords.values) + fresh, readOnly: current.readOnly)
        }
        var flags = state.flags.map(IMAPFlag.init)
        if !rev2, view?.recent.contains(state.uid) == true { flags.append(.recent) }
        return flags
    }

    /// Turns CONDSTORE on for a CONDSTORE-enabling command; the first one issued with a mailbox
    /// selected is told the mailbox's HIGHESTMODSEQ first (RFC 7162 §3.1).
    func enableCondStore() {
        guard !condStore else { return }
        condStore = true
        if let current = view {
            emit(.untagged(IMAPStatusResponse(.ok, code: .highestModSeq(UInt64(current.highestModSeq)), "Highest")))
        }
    }

    /// `* FLAGS` and `* OK [PERMANENTFLAGS]` for the selected mailbox (RFC 9051 §7.3.5, §7.1): the system
    /// flags and `keywords`; any keyword may be created (`\*`) unless the mailbox is read-only.
    func announceFlags(keywords: some Collection<String>, readOnly: Bool) {
        let system = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"]
        announcedKeywords = [:]
        for keyword in keywords where announcedKeywords[keyword.lowercased()] == nil {
            announcedKeywords[keyword.lowercased()] = keyword
        }
        let unique = announcedKeywords.values.sorted()
        emit(.data(.flags((system + unique).map(IMAPFlag.init))))
        let permanent = readOnly ? [] : system + unique + ["\\*"]
        emit(.untagged(IMAPStatusResponse(.ok, code: .permanentFlags(permanent.map(IMAPFlag.init)), "Flags permitted")))
    }

    func announce(_ updates: [MailboxView.Update]) {
        for update in updates {
            switch update {
            case .expunge(let sequence): emit(.data(.expunge(UInt32(sequence))))
            case .vanished(let uids): emit(.data(.vanished(IMAPSequenceSet(Self.ranges(uids)), earlier: false)))
            case .exists(let count):
                emit(.data(.exists(UInt32(count))))
                if !rev2, view?.readOnly == true { emit(.data(.recent(UInt32(view?.recent.count ?? 0)))) }
            case .flags(let sequence, let state):
                var values: [IMAPFetchValue] = [.flags(flags(state))]
                if condStore || qresync { values.append(.modSeq(UInt64(state.modSeq))) }
                // RFC 7162 §3.1.4: once CONDSTORE is on, unsolicited FETCH carries UID and MODSEQ.
                if condStore || qresync { values.insert(.uid(state.uid), at: 0) }
                emit(.data(.fetch(UInt32(sequence), values)))
            }
        }
    }

    /// Ascending values as merged ranges (`1:3,7`).
    static func ranges(_ values: [UInt32]) -> [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        for value in values.sorted() {
            if let last = ranges.last, value == last.upperBound &+ 1, value != 0 {
                ranges[ranges.count - 1] = last.lowerBound...value
            } else if ranges.last?.contains(value) != true {
                ranges.append(value...value)
            }
        }
        return ranges
    }
}
