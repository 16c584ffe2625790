import Core

/// One IMAP connection's protocol logic (RFC 9051, RFC 3501 and the extensions in `capabilities`),
/// sans-I/O: inputs in (`start`, `receive`, `resume`, `mailboxChanged`, `timeout`, `shutdown`,
/// `revoked`, `tlsEstablished`), `IMAPAction`s out. It holds no socket, store, clock or task: store
/// and directory work goes out as an `IMAPEffect` whose result comes back through `resume(_:)`.
///
/// Commands are handled one at a time in the order received (RFC 9051 §5.5 lets a server serialise
/// pipelined commands): input arriving while an effect runs is queued and taken once the command is
/// answered.
public struct IMAPSession: Sendable {
    enum State: Sendable {
        case notAuthenticated
        case authenticated
        case selected
        case logout
    }

    /// What the next input is for, besides commands.
    enum Mode: Sendable {
        case commands
        /// AUTHENTICATE waits for a client response line.
        case sasl(SASLExchange)
        /// IDLE (RFC 2177) until `DONE`.
        case idling(tag: String)
        /// STARTTLS answered; input is dropped until `tlsEstablished()`.
        case startingTLS
    }

    let configuration: IMAPConfiguration
    var state = State.notAuthenticated
    var mode = Mode.commands
    public private(set) var isTLS: Bool
    public internal(set) var account: IMAPAccount?
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
    /// Failed logins on this connection (`IMAPConfiguration.maxLoginFailures`).
    var loginFailures = 0

    /// The effect in flight: the command's tag and what its result continues.
    var awaiting: (tag: String, step: Step)?
    /// Input received while an effect ran, handled once the command is answered.
    var queued: [IMAPInput] = []
    /// The watched mailbox changed while an effect ran (IDLE).
    var changedWhileBusy = false
    /// The goodbye to say once the running effect completes (shutdown, revoked account).
    var goodbye: IMAPStatusResponse?
    /// Responses encoded and not yet handed out as `.send`.
    var output: [UInt8] = []
    /// Actions of the current call.
    var actions: [IMAPAction] = []

    public init(configuration: IMAPConfiguration, isTLS: Bool) {
        self.configuration = configuration
        self.isTLS = isTLS
    }

    var qresync: Bool { enabled.contains("QRESYNC") }
    var rev2: Bool { enabled.contains("IMAP4REV2") }
    var utf8: Bool { enabled.contains("UTF8=ACCEPT") }

    /// LOGOUT, BYE or a failure ended the session.
    public var isClosed: Bool { state == .logout }
    /// An effect runs: the adapter runs no timers against the client meanwhile.
    public var isBusy: Bool { awaiting != nil }

    // MARK: Inputs

    /// RFC 9051 §7.1.1: the greeting, with the capabilities.
    public mutating func start() -> [IMAPAction] {
        emit(.untagged(IMAPStatusResponse(.ok, code: .capability(capabilities), "\(configuration.hostname) Posta IMAP ready")))
        return take()
    }

    public mutating func receive(_ input: IMAPInput) -> [IMAPAction] {
        guard state != .logout else { return [] }
        if case .startingTLS = mode { return [] }  // RFC 2595 §3.1
        if awaiting != nil {
            queued.append(input)
            return []
        }
        handle(input)
        return take()
    }

    /// The answer to the effect last asked for.
    public mutating func resume(_ result: IMAPEffectResult) -> [IMAPAction] {
        guard let (tag, step) = awaiting, state != .logout else { return [] }
        awaiting = nil
        if case .failed(let failure) = result {
            if case .idling = mode {
                mode = .commands
                act(.unwatch)
            }
            emit(.tagged(tag: tag, Self.status(for: failure)))
        } else {
            proceed(step, tag: tag, result)
        }
        return take()
    }

    /// The watched mailbox changed (IDLE): push the changes (RFC 2177).
    public mutating func mailboxChanged() -> [IMAPAction] {
        guard state != .logout, case .idling(let tag) = mode else { return [] }
        if awaiting != nil {
            changedWhileBusy = true
            return []
        }
        synchronize(tag, allowExpunge: true, then: .nothing)
        return take()
    }

    /// The connection has been idle for `idleFor` (time comes from the adapter): RFC 9051 §5.4
    /// autologout, shorter before login.
    public mutating func timeout(idleFor: Duration) -> [IMAPAction] {
        guard state != .logout, awaiting == nil else { return [] }
        if case .sasl(let exchange) = mode, exchange.waiting {
            emit(.untagged(IMAPStatusResponse(.bye, "\(configuration.hostname) closing the connection")))
            finish()
            return take()
        }
        guard idleFor >= (account == nil ? configuration.loginTimeout : configuration.autologout) else { return [] }
        emit(.untagged(IMAPStatusResponse(.bye, "Autologout; idle for too long")))
        finish()
        return take()
    }

    /// The server is shutting down: `* BYE` and close, once a running effect completes.
    public mutating func shutdown() -> [IMAPAction] {
        if case .sasl(let exchange) = mode, exchange.waiting {
            return end(IMAPStatusResponse(.bye, "\(configuration.hostname) closing the connection"))
        }
        return end(IMAPStatusResponse(.bye, "\(configuration.hostname) server shutting down"))
    }

    /// The account was disabled or its password changed: `* BYE` and close (RFC 9051 §7.1.5).
    public mutating func revoked() -> [IMAPAction] {
        end(IMAPStatusResponse(.bye, "Account disabled or credentials changed"))
    }

    /// The TLS handshake after STARTTLS completed.
    public mutating func tlsEstablished() -> [IMAPAction] {
        guard case .startingTLS = mode else { return [] }
        isTLS = true
        mode = .commands
        queued.removeAll()
        return []
    }

    private mutating func end(_ bye: IMAPStatusResponse) -> [IMAPAction] {
        guard state != .logout else { return [] }
        if awaiting != nil {
            goodbye = bye
            return []
        }
        emit(.untagged(bye))
        finish()
        return take()
    }

    // MARK: Running

    /// Hands out the actions of this call, after taking queued input the session is free for.
    private mutating func take() -> [IMAPAction] {
        while awaiting == nil, state != .logout {
            if let bye = goodbye {
                goodbye = nil
                emit(.untagged(bye))
                finish()
                break
            }
            if changedWhileBusy, case .idling(let tag) = mode {
                changedWhileBusy = false
                synchronize(tag, allowExpunge: true, then: .nothing)
                continue
            }
            changedWhileBusy = false
            guard !queued.isEmpty else { break }
            if case .startingTLS = mode {
                queued.removeAll()
                break
            }
            handle(queued.removeFirst())
        }
        flushOutput()
        defer { actions = [] }
        return actions
    }

    /// Asks for `effect`; `step` continues the command with its result. Nothing may be emitted
    /// after this until `resume`.
    mutating func request(_ effect: IMAPEffect, tag: String, then step: Step) {
        act(.effect(effect))
        awaiting = (tag, step)
    }

    /// Adds a non-send action after what is encoded so far.
    mutating func act(_ action: IMAPAction) {
        flushOutput()
        actions.append(action)
    }

    private mutating func flushOutput() {
        guard !output.isEmpty else { return }
        actions.append(.send(output))
        output = []
    }

    /// Ends the session: flush and close.
    mutating func finish() {
        state = .logout
        mode = .commands
        queued = []
        act(.close)
    }

    private mutating func handle(_ input: IMAPInput) {
        switch (mode, input) {
        case (.sasl(let exchange), _):
            continueSASL(exchange, input)
        case (.idling(let tag), .line(let line)):
            endIdle(tag, line)
        case (.idling(let tag), _):
            // The framer was in line mode: nothing else can arrive before the line.
            mode = .commands
            act(.unwatch)
            bad(tag, "Expected DONE")
        case (_, .frame(let frame)):
            handle(frame: frame)
        case (_, .framingError(let error)):
            emitFramingError(error)
        case (_, .line):
            // A line outside AUTHENTICATE/IDLE cannot happen: the framer is only put in line
            // mode by those commands.
            break
        }
    }

    private mutating func emitFramingError(_ error: IMAPFramingError) {
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

    static func status(for failure: IMAPStoreFailure) -> IMAPStatusResponse {
        switch failure {
        case .noSuchMailbox: IMAPStatusResponse(.no, code: .nonexistent, "No such mailbox")
        case .mailboxExists: IMAPStatusResponse(.no, code: .alreadyExists, "Mailbox already exists")
        case .hasChildren: IMAPStatusResponse(.no, code: .hasChildren, "Mailbox has inferior mailboxes; delete them first")
        case .invalidMailboxName: IMAPStatusResponse(.no, code: .cannot, "Invalid mailbox name")
        case .invalidFlag(let flag): IMAPStatusResponse(.bad, "Invalid flag \(flag.prefix(40))")
        case .overQuota: IMAPStatusResponse(.no, code: .overQuota, "Quota exceeded")
        case .unavailable: IMAPStatusResponse(.no, code: .serverBug, "Mail store unavailable")
        case .internalError: IMAPStatusResponse(.no, code: .serverBug, "Internal error; try again later")
        }
    }
}
