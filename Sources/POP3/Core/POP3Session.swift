import Connection
import Core

/// The sans-I/O POP3 server session (RFC 1939 with RFC 2449 CAPA and response codes, RFC 2595
/// STLS, RFC 5034 AUTH PLAIN): bytes in, actions out. No I/O, no clock: the adapter performs
/// effects and feeds back results with `resume(_:)`.
public struct POP3Session: Sendable {
    enum State: Sendable, Hashable {
        /// RFC 1939 §4; `user` is the name given by USER, waiting for PASS.
        case authorization(user: String?)
        /// RFC 5034 §4: AUTH PLAIN sent `+ `; the next line is the client response.
        case saslPlain
        /// RFC 1939 §5.
        case transaction
        /// STLS answered; waiting for the handshake.
        case startingTLS
        case closed
    }

    enum Pending: Sendable, Hashable {
        case login
        case send
        case update
    }

    public let configuration: POP3Configuration
    public private(set) var isTLS: Bool
    var state: State = .authorization(user: nil)
    var pending: Pending?
    /// The maildrop snapshot, once logged in.
    public private(set) var maildrop: POP3Maildrop?
    /// Message numbers marked by DELE.
    public private(set) var deleted: Set<Int> = []
    private var input = LineBuffer()
    /// The goodbye to send once the running effect completes (server shutdown, revoked account).
    private var shutdownRequested: POP3Response?
    /// Command lines received while not logged in (AUTHORIZATION state).
    private var commandsBeforeLogin = 0
    /// Logins refused on this connection (`POP3Configuration.maxAuthFailures`).
    private var authFailures = 0

    public init(configuration: POP3Configuration, isTLS: Bool) {
        self.configuration = configuration
        self.isTLS = isTLS
    }

    public var isClosed: Bool { state == .closed }
    public var isInTransaction: Bool { state == .transaction }

    /// Logins may be attempted: under TLS, or where the site allows plaintext.
    var loginAllowed: Bool { isTLS || configuration.allowPlaintextAuth }

    // MARK: Inputs

    /// RFC 1939 §4: the greeting.
    public mutating func start() -> [POP3Action] {
        [.send(.ok("\(configuration.hostname) Posta POP3 server ready"))]
    }

    public mutating func receive(_ bytes: [UInt8]) -> [POP3Action] {
        switch state {
        case .closed, .startingTLS: return []  // RFC 2595 §4: nothing before the handshake counts
        default: break
        }
        input.append(bytes)
        var out: [POP3Action] = []
        process(&out)
        input.compact()
        return out
    }

    public mutating func resume(_ result: POP3EffectResult) -> [POP3Action] {
        guard let waitingFor = pending else { return [] }
        pending = nil
        var out: [POP3Action] = []
        switch (waitingFor, result) {
        case (.login, .loggedIn(let drop)):
            maildrop = drop
            deleted = []
            state = .transaction
            out.append(.send(.ok("maildrop has \(drop.messages.count) messages (\(octets(drop.messages)) octets)")))
        case (.login, .loginFailed(let failure)):
            state = .authorization(user: nil)
            switch failure {
            case .invalidCredentials: out.append(.send(.err(.auth, "invalid credentials")))
            case .throttled: out.append(.send(.err(.sysTemp, "too many failed logins, try later")))
            case .inUse: out.append(.send(.err(.inUse, "maildrop already locked by another session")))
            case .temporary: out.append(.send(.err(.sysTemp, "temporary failure, try later")))
            case .passwordExpired: out.append(.send(.err(.auth, "password expired: change it, then log in again")))
            }
            // Guessing needs a new connection, each paying the throttle's delays.
            if failure == .invalidCredentials || failure == .throttled {
                authFailures += 1
                if authFailures >= configuration.maxAuthFailures {
                    close(&out)
                    return out
                }
            }
        case (.send, .sent):
            break
        case (.send, .unavailable):
            out.append(.send(.err(.sysTemp, "message unavailable, try later")))
        case (.update, .updated(let complete)):
            let left = (maildrop?.messages.count ?? 0) - deleted.count
            // RFC 1939 §6
            close(
                with: complete
                    ? .ok("\(configuration.hostname) POP3 server signing off (\(left) messages left)")
                    : .err(.sysTemp, "some deleted messages not removed"), &out)
            return out
        default:
            // A result that does not answer the pending effect: a bug in the adapter.
            close(with: .err(.sysTemp, "internal error"), &out)
            return out
        }
        if let goodbye = shutdownRequested {
            out += shutdown(goodbye)
            return out
        }
        process(&out)
        return out
    }

    /// The TLS handshake after STLS completed.
    public mutating func tlsEstablished() -> [POP3Action] {
        guard state == .startingTLS else { return [] }
        isTLS = true
        input.removeAll()
        state = .authorization(user: nil)
        return []
    }

    /// The client has not logged in within the listener's login timeout: `-ERR` and close.
    public mutating func loginTimeout() -> [POP3Action] {
        guard state != .closed, state != .transaction else { return [] }
        var out: [POP3Action] = []
        // During a TLS handshake a plaintext response would corrupt it.
        close(with: state == .startingTLS ? nil : .err("login timeout, closing connection"), &out)
        return out
    }

    /// RFC 1939 §3: the autologout timer expired. The session does not enter UPDATE: close
    /// without a response and without removing messages.
    public mutating func timeout() -> [POP3Action] {
        guard state != .closed else { return [] }
        var out: [POP3Action] = []
        close(&out)
        return out
    }

    /// The server is shutting down: `-ERR [SYS/TEMP]` and close, without UPDATE. While an
    /// effect runs, this waits for its result (an UPDATE in progress completes normally).
    public mutating func shutdown() -> [POP3Action] {
        shutdown(.err(.sysTemp, "server shutting down"))
    }

    /// The account was disabled or its password changed: `-ERR [AUTH]` (RFC 3206 §5: the problem
    /// is the credentials) and close without UPDATE, once the running effect completes.
    public mutating func revoked() -> [POP3Action] {
        shutdown(.err(.auth, "account disabled or credentials changed"))
    }

    private mutating func shutdown(_ goodbye: POP3Response) -> [POP3Action] {
        guard state != .closed else { return [] }
        if pending != nil {
            shutdownRequested = goodbye
            return []
        }
        var out: [POP3Action] = []
        close(with: goodbye, &out)
        return out
    }

    /// Ends the session: `response` (if any), then `.close`; nothing more is read.
    private mutating func close(with response: POP3Response? = nil, _ out: inout [POP3Action]) {
        if let response { out.append(.send(response)) }
        out.append(.close)
        state = .closed
        input.removeAll()
    }

    // MARK: Lines

    private mutating func process(_ out: inout [POP3Action]) {
        while pending == nil {
            switch state {
            case .closed, .startingTLS:
                input.removeAll()
                return
            default: break
            }
            let limit =
                state == .saslPlain
                ? configuration.maxSASLLength : max(configuration.maxCommandLength, configuration.maxSASLLength)
            switch input.nextLine(maxLength: limit + 2) {
            case .needMore:
                return
            case .tooLong:
                close(with: .err("line too long"), &out)
                return
            case .line(let line):
                if state != .transaction {
                    commandsBeforeLogin += 1
                    if commandsBeforeLogin > configuration.maxCommandsBeforeLogin {
                        close(with: .err("too many commands before login, closing connection"), &out)
                        return
                    }
                }
                handle(line, &out)
            }
        }
    }

    private mutating func handle(_ bytes: [UInt8], _ out: inout [POP3Action]) {
        if state == .saslPlain {
            saslResponse(String(decoding: bytes, as: UTF8.self), &out)
            return
        }
        guard bytes.count <= configuration.maxCommandLength else {
            out.append(.send(.err("command line too long")))
            return
        }
        guard let line = String(validating: bytes, as: UTF8.self) else {
            out.append(.send(.err("invalid command")))
            return
        }
        let command: POP3Command
        do { command = try POP3CommandParser.parse(line) } catch {
            switch error {
            case .invalidArguments(let text): out.append(.send(.err(text)))
            }
            return
        }
        if state == .transaction {
            transaction(command, &out)
        } else {
            authorization(command, &out)
        }
    }

    // MARK: AUTHORIZATION (RFC 1939 §4, §7)

    private mutating func authorization(_ command: POP3Command, _ out: inout [POP3Action]) {
        guard case .authorization(let user) = state else { return }
        switch command {
        case .capa:
            out.append(.send(capabilities()))
        case .user(let name):
            guard loginAllowed else { return tlsRequired(&out) }
            state = .authorization(user: name)
            out.append(.send(.ok("send PASS")))
        case .pass(let password):
            guard loginAllowed else { return tlsRequired(&out) }
            guard let user else {
                out.append(.send(.err("USER first")))
                return
            }
            state = .authorization(user: nil)
            pending = .login
            out.append(.effect(.login(user: user, password: password, mechanism: "USER")))
        case .auth(nil, _):
            // Pre-RFC 5034 clients send a bare AUTH to list mechanisms.
            out.append(.send(.ok("mechanisms follow", lines: loginAllowed ? ["PLAIN"] : [])))
        case .auth(let mechanism?, let initial):
            guard loginAllowed else { return tlsRequired(&out) }
            guard mechanism == "PLAIN" else {
                out.append(.send(.err("unsupported SASL mechanism")))
                return
            }
            if let initial {
                // RFC 5034 §4: "=" is an empty initial response.
                saslResponse(initial == "=" ? "" : initial, &out)
            } else {
                state = .saslPlain
                out.append(.continuation(""))
            }
        case .stls:
            guard configuration.stlsAvailable, !isTLS else {
                out.append(.send(.err(isTLS ? "already using TLS" : "STLS not available")))
                return
            }
            out.append(.send(.ok("begin TLS negotiation")))
            out.append(.startTLS)
            state = .startingTLS
            input.removeAll()  // RFC 2595 §4: bytes pipelined after STLS are discarded
        case .quit:
            close(with: .ok("\(configuration.hostname) POP3 server signing off"), &out)
        case .apop:
            out.append(.send(.err("APOP not supported")))
        case .unknown:
            out.append(.send(.err("unknown command")))
        default:
            out.append(.send(.err("command not valid before login")))
        }
    }

    /// RFC 2595 §2.4 / §4: no login without TLS. RFC 3206 §5: SYS/PERM, this cannot succeed as sent.
    private mutating func tlsRequired(_ out: inout [POP3Action]) {
        state = .authorization(user: nil)
        out.append(.send(.err(.sysPerm, "TLS required: use STLS first")))
    }

    /// RFC 5034 §4: the client's response to `+ `, or the initial response.
    private mutating func saslResponse(_ text: String, _ out: inout [POP3Action]) {
        state = .authorization(user: nil)
        if text == "*" {
            out.append(.send(.err("authentication cancelled")))
            return
        }
        guard let decoded = SASLBase64.decode(text) else {
            out.append(.send(.err("invalid base64")))
            return
        }
        switch SASLPlain.parse(decoded) {
        case .failure(.malformed):
            out.append(.send(.err(.auth, "malformed PLAIN credentials")))
        case .failure(.emptyCredentials):
            out.append(.send(.err(.auth, "invalid credentials")))
        case .failure(.authorizationNotPermitted):
            // RFC 4616 §2: acting as another identity is not supported.
            out.append(.send(.err(.auth, "authorization identity not permitted")))
        case .success(let plain):
            pending = .login
            out.append(.effect(.login(user: plain.authenticationID, password: plain.password, mechanism: "PLAIN")))
        }
    }

    /// RFC 2449 §5, §6.
    func capabilities() -> POP3Response {
        var lines = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"]
        if state != .transaction {
            if loginAllowed { lines += ["USER", "SASL PLAIN"] }
            if configuration.stlsAvailable && !isTLS { lines.append("STLS") }
        }
        lines.append("IMPLEMENTATION Posta")
        return .ok("capability list follows", lines: lines)
    }

    // MARK: TRANSACTION (RFC 1939 §5, §7)

    private mutating func transaction(_ command: POP3Command, _ out: inout [POP3Action]) {
        guard let drop = maildrop else { return }
        switch command {
        case .capa:
            out.append(.send(capabilities()))
        case .stat:
            let live = liveMessages(drop)
            out.append(.send(.ok("\(live.count) \(octets(live.map(\.1)))")))
        case .list(nil):
            let live = liveMessages(drop)
            out.append(
                .send(.ok("\(live.count) messages (\(octets(live.map(\.1))) octets)", lines: live.map { "\($0.0) \($0.1.size)" }))
            )
        case .list(let number?):
            guard let message = lookup(number, drop, &out) else { return }
            out.append(.send(.ok("\(number) \(message.size)")))
        case .uidl(nil):
            out.append(
                .send(.ok("unique-id listing follows", lines: liveMessages(drop).map { "\($0.0) \(drop.uniqueID(of: $0.1))" })))
        case .uidl(let number?):
            guard let message = lookup(number, drop, &out) else { return }
            out.append(.send(.ok("\(number) \(drop.uniqueID(of: message))")))
        case .retr(let number):
            guard let message = lookup(number, drop, &out) else { return }
            pending = .send
            out.append(
                .effect(
                    .sendMessage(
                        POP3Transfer(number: number, message: message, bodyLineLimit: nil, status: .ok("\(message.size) octets")))
                ))
        case .top(let number, let lines):
            guard let message = lookup(number, drop, &out) else { return }
            pending = .send
            out.append(
                .effect(
                    .sendMessage(
                        POP3Transfer(
                            number: number, message: message, bodyLineLimit: lines, status: .ok("top of message follows")))))
        case .dele(let number):
            guard lookup(number, drop, &out) != nil else { return }
            deleted.insert(number)
            out.append(.send(.ok("message \(number) deleted")))
        case .noop:
            out.append(.send(.ok("")))
        case .rset:
            deleted = []
            out.append(.send(.ok("maildrop has \(drop.messages.count) messages (\(octets(drop.messages)) octets)")))
        case .quit:
            guard !deleted.isEmpty else {
                let left = drop.messages.count
                return close(with: .ok("\(configuration.hostname) POP3 server signing off (\(left) messages left)"), &out)
            }
            pending = .update
            let uids = deleted.sorted().map { drop.messages[$0 - 1].uid }
            out.append(.effect(.update(mailboxID: drop.mailboxID, uids: uids)))
        case .unknown:
            out.append(.send(.err("unknown command")))
        default:
            out.append(.send(.err("command not valid in TRANSACTION state")))
        }
    }

    private func liveMessages(_ drop: POP3Maildrop) -> [(Int, POP3Message)] {
        drop.messages.enumerated().compactMap { index, message in deleted.contains(index + 1) ? nil : (index + 1, message) }
    }

    private func lookup(_ number: Int, _ drop: POP3Maildrop, _ out: inout [POP3Action]) -> POP3Message? {
        guard number >= 1 && number <= drop.messages.count else {
            out.append(.send(.err("no such message")))
            return nil
        }
        guard !deleted.contains(number) else {
            out.append(.send(.err("message \(number) already deleted")))
            return nil
        }
        return drop.messages[number - 1]
    }

    private func octets(_ messages: [POP3Message]) -> Int64 { messages.reduce(0) { $0 + $1.size } }
}
