/// The sans-I/O ManageSieve server session (RFC 5804): bytes in, actions out. No socket, no clock,
/// no database: the adapter performs effects (logins, script operations) and feeds back results
/// with `resume(_:)`, and the output is the same however the input is split.
///
/// Input is framed by `ManageSieveFramer` (line 8 KiB; literals up to the largest script once
/// logged in, up to a line's length before). While an effect runs, input stays buffered and
/// nothing is emitted.
public struct ManageSieveSession: Sendable {
    enum State: Sendable, Hashable {
        /// RFC 5804 §1.4 non-authenticated state.
        case notAuthenticated
        /// §2.1: a challenge was sent; the next command is the client's response.
        case sasl(SASLExchange)
        case authenticated(ManageSieveAccount)
        /// STARTTLS answered; waiting for the handshake (§2.2).
        case startingTLS
        case closed
    }

    enum Pending: Sendable, Hashable {
        case login
        case script(ManageSieveScriptOperation)
    }

    public let configuration: ManageSieveConfiguration
    public internal(set) var isTLS: Bool
    var state: State = .notAuthenticated
    var pending: Pending?
    var framer: ManageSieveFramer
    /// The goodbye to send once the running effect completes (shutdown, revoked account).
    var shutdownRequested: ManageSieveResponse?
    /// Commands received while not logged in.
    var commandsBeforeLogin = 0
    /// Logins refused on this connection.
    var authFailures = 0

    public init(configuration: ManageSieveConfiguration, isTLS: Bool) {
        self.configuration = configuration
        self.isTLS = isTLS
        self.framer = ManageSieveFramer(limits: Self.limits(configuration, authenticated: false))
    }

    /// Before login a literal carries at most SASL data or a name: a line's worth.
    static func limits(_ configuration: ManageSieveConfiguration, authenticated: Bool) -> ManageSieveFramer.Limits {
        .init(
            maxLineLength: configuration.maxLineLength,
            maxLiteralSize: authenticated ? configuration.maxScriptSize : configuration.maxLineLength)
    }

    public var isClosed: Bool { state == .closed }
    public var isAuthenticated: Bool {
        if case .authenticated = state { return true }
        return false
    }
    /// The client is sending a literal's octets: the adapter may hand them over in large pieces.
    public var isReceivingLiteral: Bool { (framer.literalBytesRemaining ?? 0) > 0 }
    /// Octets of the current literal still to come.
    public var literalBytesRemaining: Int? { framer.literalBytesRemaining }

    // MARK: Inputs

    /// RFC 5804 §1.7: the greeting is the capability list and `OK`.
    public mutating func start() -> [ManageSieveAction] {
        capabilityResponse(ok: "\(configuration.hostname) Posta ManageSieve ready")
    }

    public mutating func receive(_ bytes: [UInt8]) -> [ManageSieveAction] {
        switch state {
        case .closed, .startingTLS: return []  // §2.2: nothing before the handshake counts
        default: break
        }
        framer.append(bytes)
        var out: [ManageSieveAction] = []
        process(&out)
        return out
    }

    public mutating func resume(_ result: ManageSieveEffectResult) -> [ManageSieveAction] {
        guard let waitingFor = pending else { return [] }
        pending = nil
        var out: [ManageSieveAction] = []
        switch (waitingFor, result) {
        case (.login, .loggedIn(let account)):
            loggedIn(account, &out)
        case (.login, .loginFailed(let failure)):
            loginFailed(failure, &out)
        case (.script(let operation), _):
            guard scriptResult(operation, result, &out) else {
                // A result that does not answer the pending effect: a bug in the adapter.
                close(with: .bye("Internal error", code: .tryLater), &out)
                return out
            }
        default:
            close(with: .bye("Internal error", code: .tryLater), &out)
            return out
        }
        if state == .closed { return out }
        if let goodbye = shutdownRequested {
            close(with: goodbye, &out)
            return out
        }
        process(&out)
        return out
    }

    /// §2.2: the handshake after STARTTLS completed; the server sends its capabilities again.
    public mutating func tlsEstablished() -> [ManageSieveAction] {
        guard state == .startingTLS else { return [] }
        isTLS = true
        framer.reset()
        state = .notAuthenticated
        return capabilityResponse(ok: "TLS negotiation successful")
    }

    /// The client has not logged in within the listener's login timeout: `BYE` and close.
    public mutating func loginTimeout() -> [ManageSieveAction] {
        guard state != .closed, !isAuthenticated else { return [] }
        var out: [ManageSieveAction] = []
        // During a TLS handshake a plaintext response would corrupt it.
        close(with: state == .startingTLS ? nil : .bye("Login timeout, closing connection"), &out)
        return out
    }

    /// Nothing was received for the idle timeout: `BYE` and close (§1.3 BYE: the server closes).
    public mutating func timeout() -> [ManageSieveAction] {
        guard state != .closed else { return [] }
        var out: [ManageSieveAction] = []
        close(with: state == .startingTLS ? nil : .bye("Idle timeout, closing connection"), &out)
        return out
    }

    /// The server is shutting down: `BYE (TRYLATER)` and close, once the running effect completes.
    public mutating func shutdown() -> [ManageSieveAction] {
        shutdown(.bye("Server shutting down", code: .tryLater))
    }

    /// The account was disabled or its password changed: `BYE` and close, once the running effect
    /// completes.
    public mutating func revoked() -> [ManageSieveAction] {
        shutdown(.bye("Account disabled or credentials changed"))
    }

    private mutating func shutdown(_ goodbye: ManageSieveResponse) -> [ManageSieveAction] {
        guard state != .closed else { return [] }
        if pending != nil {
            shutdownRequested = goodbye
            return []
        }
        var out: [ManageSieveAction] = []
        close(with: state == .startingTLS ? nil : goodbye, &out)
        return out
    }

    /// Ends the session: `response` (if any), then `.close`; nothing more is read.
    mutating func close(with response: ManageSieveResponse? = nil, _ out: inout [ManageSieveAction]) {
        if let response { out.append(.send(response)) }
        out.append(.close)
        state = .closed
        framer.reset()
    }

    // MARK: Commands

    private mutating func process(_ out: inout [ManageSieveAction]) {
        while pending == nil {
            switch state {
            case .closed, .startingTLS: return
            default: break
            }
            guard let event = framer.next() else { return }
            if !isAuthenticated {
                commandsBeforeLogin += 1
                if commandsBeforeLogin > configuration.maxCommandsBeforeLogin {
                    return close(with: .bye("Too many commands before login, closing connection"), &out)
                }
            }
            switch event {
            case .lineTooLong:
                return close(with: .bye("Line too long"), &out)
            case .literalTooLarge(let size):
                guard isAuthenticated else { return close(with: .bye("Literal too large"), &out) }
                // §1.3 QUOTA/MAXSIZE; the literal's octets are skipped, not kept.
                out.append(
                    .send(
                        .no(
                            "Literal of \(size) octets exceeds the \(configuration.maxScriptSize) octet limit",
                            code: .quotaMaxSize)))
            case .frame(let frame):
                handle(frame, &out)
            }
        }
    }

    private mutating func handle(_ frame: [UInt8], _ out: inout [ManageSieveAction]) {
        if case .sasl(let exchange) = state {
            return continueSASL(exchange, frame, &out)
        }
        let command: ManageSieveCommand
        do { command = try ManageSieveCommandParser.parse(frame) } catch {
            return out.append(.send(.no(error.message)))
        }
        switch command {
        case .capability:
            out += capabilityResponse(ok: "CAPABILITY completed")
        case .logout:
            // §2.3: OK, then the server closes.
            close(with: .ok("Logout completed"), &out)
        case .noop(let tag):
            // §2.13: the tag comes back in a TAG response code.
            out.append(.send(.ok("Done", code: tag.map { .tag($0) })))
        case .startTLS:
            startTLS(&out)
        case .authenticate(let mechanism, let initialResponse):
            guard !isAuthenticated else { return out.append(.send(.no("Already authenticated"))) }
            authenticate(mechanism: mechanism, initialResponse: initialResponse, &out)
        case .unauthenticate:
            unauthenticate(&out)
        case .unknown:
            out.append(.send(.no("Unknown command")))
        default:
            guard case .authenticated(let account) = state else {
                return out.append(.send(.no("Authenticate first")))
            }
            scriptCommand(command, account: account, &out)
        }
    }

    /// §2.2: only before authentication, only when TLS is not already in place.
    private mutating func startTLS(_ out: inout [ManageSieveAction]) {
        guard !isAuthenticated else { return out.append(.send(.no("STARTTLS is not allowed after authentication"))) }
        guard configuration.startTLSAvailable, !isTLS else {
            return out.append(.send(.no(isTLS ? "TLS is already active" : "STARTTLS is not available")))
        }
        out.append(.send(.ok("Begin TLS negotiation now")))
        out.append(.startTLS)
        state = .startingTLS
        framer.reset()  // §2.2 / RFC 2595 §3.1: bytes pipelined after STARTTLS are discarded
    }

    // MARK: Capabilities (RFC 5804 §1.7)

    var loginsAllowed: Bool { isTLS || configuration.allowPlaintextAuth }

    /// The SASL mechanisms offered: none where a login would be refused (§1.7: the list may be
    /// empty when STARTTLS is advertised).
    var mechanisms: String { loginsAllowed ? "PLAIN LOGIN" : "" }

    func capabilityLines() -> [ManageSieveResponse] {
        var lines: [ManageSieveResponse] = [
            .line([.text("IMPLEMENTATION"), .text("Posta")]),
            .line([.text("SASL"), .text(mechanisms)]),
            .line([.text("SIEVE"), .text(configuration.sieveExtensions)]),
        ]
        if configuration.startTLSAvailable && !isTLS && !isAuthenticated { lines.append(.line([.text("STARTTLS")])) }
        if case .authenticated(let account) = state { lines.append(.line([.text("OWNER"), .text(account.name)])) }
        lines.append(.line([.text("VERSION"), .text("1.0")]))
        lines.append(.line([.text("UNAUTHENTICATE")]))
        return lines
    }

    func capabilityResponse(ok text: String) -> [ManageSieveAction] {
        (capabilityLines() + [.ok(text)]).map { .send($0) }
    }
}
