import Core
import Queue

/// The SMTP/LMTP server protocol as a sans-I/O state machine (RFC 5321, RFC 2033 for LMTP).
///
/// The adapter feeds it events — `start()`, `receive(_:)`, `resume(_:)`, `tlsEstablished(_:)`,
/// `timeout()`, `connectionClosed()` — and performs the returned actions in order. The session owns
/// the whole transaction: sender, accepted recipients with their deliveries, what policy decided,
/// the spool file's handle and the trace fields; the adapter keeps none of it. The session never
/// reads a clock, a socket or a database; whatever it cannot decide itself it asks for with
/// `.effect`, after which it only buffers input until `resume(_:)` brings the answer (so PIPELINING,
/// RFC 2920, keeps replies in order even when checks are asynchronous). While `isAwaitingEffect` is
/// true the adapter should stop reading from the socket (back-pressure): buffered input is otherwise
/// unbounded.
///
/// The same byte stream gives the same actions however it is split into `receive` calls.
public struct SMTPServerSession: Sendable {
    public let configuration: SMTPServerConfiguration
    public private(set) var client: SMTPClientInfo

    enum Phase: Sendable {
        case notStarted
        case command
        /// Reading DATA content.
        case data(SMTPDotDecoder)
        /// Reading an accepted BDAT chunk.
        case bdat(remaining: Int64, size: Int64, last: Bool)
        /// Skipping the octets of a refused BDAT chunk, to stay in step (RFC 3030 §2).
        case discard(remaining: Int64)
        case awaitingEffect(Pending)
        /// STARTTLS accepted; waiting for the handshake. Input is discarded.
        case awaitingTLS
        /// A 334 challenge was sent; the next line is a SASL response (RFC 4954 §4).
        case sasl(SASLStep)
        case closed
    }

    indirect enum Pending: Sendable {
        case sender(SMTPMailCommand)
        case recipient(SMTPRecipient)
        /// `.openSpool`; then reading content goes on in this phase.
        case spool(then: Phase)
        case message(recipients: Int)
        case authentication
    }

    enum Greeting: Sendable {
        case helo(String)
        case ehlo(String)
        case lhlo(String)

        var name: String {
            switch self {
            case .helo(let n), .ehlo(let n), .lhlo(let n): n
            }
        }
    }

    struct Transaction: Sendable {
        var mail: SMTPMailCommand
        /// The HELO/EHLO/LHLO name and `with` keyword when MAIL was accepted (for `Received:`).
        var heloName: String
        var protocolName: String
        var recipients: [SMTPRecipient] = []
        var refusedRecipients = 0
        /// Deliveries of each accepted recipient, by address (a repeated RCPT replaces them).
        var routes: [String: [QueuedDelivery]] = [:]
        /// What policy decided at RCPT for the message as a whole.
        var policy = SMTPMessagePolicy()
        var spool: SpoolState = .notOpened
    }

    enum SpoolState: Sendable {
        /// No content yet (or handed to the end-of-data effect).
        case notOpened
        case open(SMTPSpool)
        /// `.openSpool` was answered with nil: the end of data gets a temporary failure.
        case unavailable
    }

    var phase: Phase = .notStarted
    var input = LineBuffer()
    var greeting: Greeting?
    var transaction: Transaction?
    /// Set once a message body has begun (354 sent, or a BDAT chunk accepted) until it completes or
    /// is aborted.
    var body: SMTPBodyAccumulator?
    var errorCount = 0
    /// AUTH attempts the adapter refused (`maxAuthFailures`).
    var authFailureCount = 0
    var commandCount = 0
    /// Set by a successful AUTH (RFC 4954 §4); survives RSET and EHLO, cleared by STARTTLS.
    public internal(set) var authenticatedUser: String?
    let parser: SMTPCommandParser

    public init(configuration: SMTPServerConfiguration, client: SMTPClientInfo) {
        self.configuration = configuration
        self.client = client
        self.parser = SMTPCommandParser(
            postmasterDomain: configuration.postmasterDomain, smtpUTF8Enabled: configuration.advertiseSMTPUTF8,
            authEnabled: !SMTPServerSession.supportedMechanisms(configuration).isEmpty,
            requireTLSEnabled: configuration.mode == .smtp)
    }

    // MARK: - State the adapter may look at

    /// An effect is outstanding: stop reading until `resume(_:)`.
    public var isAwaitingEffect: Bool {
        if case .awaitingEffect = phase { return true }
        return false
    }

    /// The session is over; the adapter should have closed the connection.
    public var isClosed: Bool {
        if case .closed = phase { return true }
        return false
    }

    /// Reading message content (DATA, BDAT) rather than command lines: the adapter may feed larger pieces.
    public var isReceivingContent: Bool {
        switch phase {
        case .data, .bdat, .discard: return true
        default: return false
        }
    }

    /// Input received and not yet processed (grows only while an effect is outstanding or before `start()`).
    public var bufferedByteCount: Int { input.count }

    /// A mail transaction is open (MAIL accepted or being checked, until the end-of-data reply or RSET).
    public var hasTransaction: Bool {
        if transaction != nil { return true }
        if case .awaitingEffect(.sender) = phase { return true }
        return false
    }

    /// The spool file `.messageData` goes to: the one the last `.openSpool` opened, until it is
    /// discarded. It stays set after the end-of-data effect took it over, so that content emitted
    /// before that effect in the same batch of actions still reaches it.
    public private(set) var spool: SMTPSpool?

    // MARK: - Inputs

    /// The connection is open: sends the 220 greeting (RFC 5321 §4.3.1, no enhanced code), then
    /// processes anything received before.
    public mutating func start() -> [SMTPServerAction] {
        guard case .notStarted = phase else { return [] }
        phase = .command
        let kind = configuration.mode == .lmtp ? "LMTP" : "ESMTP"
        var out: [SMTPServerAction] = [
            .reply(SMTPReply(220, nil, "\(configuration.hostname) \(kind) \(configuration.greetingBanner)"))
        ]
        run(&out)
        input.compact()
        return out
    }

    /// Bytes from the client, split anywhere.
    public mutating func receive(_ bytes: [UInt8]) -> [SMTPServerAction] {
        switch phase {
        case .closed, .awaitingTLS: return []
        default: break
        }
        input.append(bytes)
        var out: [SMTPServerAction] = []
        run(&out)
        input.compact()
        return out
    }

    /// The answer to the outstanding effect (see `SMTPEffectResult` for how odd answers are treated).
    public mutating func resume(_ result: SMTPEffectResult) -> [SMTPServerAction] {
        guard case .awaitingEffect(let pending) = phase else { return [] }
        phase = .command
        var out: [SMTPServerAction] = []
        switch pending {
        case .sender(let mail):
            let reply = single(result)
            if reply.isPositiveCompletion { transaction = newTransaction(mail) }
            send(reply, &out)
        case .recipient(let recipient):
            let reply = single(result)
            if reply.isPositiveCompletion {
                let route: SMTPRecipientRoute
                if case .recipientAccepted(_, let given) = result { route = given } else { route = SMTPRecipientRoute() }
                transaction?.accept(recipient, route: route)
            } else {
                transaction?.refusedRecipients += 1
            }
            send(reply, &out)
        case .spool(let next):
            phase = next
            spool = nil
            if case .spoolOpened(let opened?) = result {
                transaction?.spool = .open(opened)
                spool = opened
            } else {
                transaction?.spool = .unavailable
            }
        case .message(let count):
            // RFC 5321 §4.1.1.4: the transaction ends with the reply to the end of data, whatever it is.
            transaction = nil
            if configuration.mode == .lmtp {
                // RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
                for reply in perRecipient(result, count: count) { out.append(.reply(reply)) }
            } else {
                send(single(result), &out)
            }
        case .authentication:
            finishAuthentication(result, &out)
        }
        run(&out)
        input.compact()
        return out
    }

    /// The STARTTLS handshake is done. RFC 3207 §4.2: the session is back to the state right after
    /// the greeting — no HELO/EHLO, no transaction — and nothing received before counts.
    public mutating func tlsEstablished(_ info: TLSInfo) -> [SMTPServerAction] {
        guard case .awaitingTLS = phase else { return [] }
        client.isTLS = true
        client.tls = info
        greeting = nil
        // RFC 3207 §4.2: knowledge from before TLS is discarded; that includes an AUTH (RFC 4954 §4).
        authenticatedUser = nil
        transaction = nil
        body = nil
        input.removeAll()
        phase = .command
        return []
    }

    /// An implicit-TLS connection (RFC 8314) finished its handshake: what it negotiated goes into
    /// trace fields. Nothing else changes.
    public mutating func tlsNegotiated(_ info: TLSInfo) {
        guard client.isTLS else { return }
        client.tls = info
    }

    /// The connection is gone: the transaction ends, and a spool file not handed to the end-of-data
    /// effect is discarded.
    public mutating func connectionClosed() -> [SMTPServerAction] {
        var out: [SMTPServerAction] = []
        resetTransaction(&out)
        phase = .closed
        input.removeAll()
        return out
    }

    /// The adapter's idle timer fired: `421 4.4.2` and close (RFC 5321 §4.5.3.2). During a TLS
    /// handshake only `.close` is returned, as a plaintext reply would corrupt the handshake.
    public mutating func timeout() -> [SMTPServerAction] {
        closeForTimeout(SMTPServerReplies.timeout(configuration.hostname))
    }

    /// The client has not authenticated within the listener's login timeout: `421 4.7.0` and close
    /// (like `timeout()`, only `.close` during a TLS handshake).
    public mutating func loginTimeout() -> [SMTPServerAction] {
        closeForTimeout(SMTPServerReplies.loginTimeout(configuration.hostname))
    }

    private mutating func closeForTimeout(_ reply: SMTPReply) -> [SMTPServerAction] {
        switch phase {
        case .closed: return []
        case .awaitingTLS:
            phase = .closed
            input.removeAll()
            return [.close]
        default:
            var out: [SMTPServerAction] = []
            closeWith(reply, &out)
            return out
        }
    }

    // MARK: - The processing loop

    /// Works through buffered input until it runs out or the session must wait.
    mutating func run(_ out: inout [SMTPServerAction]) {
        while true {
            switch phase {
            case .notStarted, .awaitingEffect:
                return
            case .closed, .awaitingTLS:
                input.removeAll()
                return
            case .command:
                switch input.nextLine(maxLength: configuration.maxCommandLineLength) {
                case .needMore:
                    return
                case .tooLong:
                    if countCommand(&out) { error(SMTPSyntaxError.lineTooLong.reply, &out) }
                case .line(let line):
                    handleLine(line, &out)
                }
            case .sasl(let step):
                switch input.nextLine(maxLength: SMTPServerSession.maxSASLLineLength) {
                case .needMore:
                    return
                case .tooLong:
                    // RFC 4954 §4 (lines of at least 12288 octets) and §6: 500 5.5.6; the exchange ends.
                    phase = .command
                    if countCommand(&out) { error(SMTPServerReplies.authLineTooLong, &out) }
                case .line(let line):
                    phase = .command
                    if countCommand(&out) { saslResponse(line, step: step, &out) }
                }
            case .data(var decoder):
                if input.isEmpty { return }
                var content: [UInt8] = []
                if needsSpool {
                    // Opened at the first octet of content, before it is consumed.
                    var probe = decoder
                    var probed: [UInt8] = []
                    _ = probe.decode(input.unread, into: &probed)
                    if !probed.isEmpty { return requestSpool(then: phase, &out) }
                }
                let (consumed, finished) = decoder.decode(input.unread, into: &content)
                input.consume(consumed)
                phase = .data(decoder)
                body?.append(content[...], into: &out)
                if finished { finishData(&out) }
            case .bdat(var remaining, let size, let last):
                if remaining > 0 {
                    if input.isEmpty { return }
                    if needsSpool { return requestSpool(then: phase, &out) }
                    let n = Int(min(remaining, Int64(input.count)))
                    body?.append(input.unread.prefix(n), into: &out)
                    input.consume(n)
                    remaining -= Int64(n)
                    phase = .bdat(remaining: remaining, size: size, last: last)
                    if remaining > 0 { return }
                }
                finishChunk(size: size, last: last, &out)
            case .discard(let remaining):
                if remaining == 0 {
                    phase = .command
                    continue
                }
                if input.isEmpty { return }
                let n = Int(min(remaining, Int64(input.count)))
                input.consume(n)
                phase = remaining == Int64(n) ? .command : .discard(remaining: remaining - Int64(n))
            }
        }
    }

    // MARK: - Message content

    private mutating func finishData(_ out: inout [SMTPServerAction]) {
        body?.flush(into: &out)
        if let failure = body?.failure {
            endFailedBody(failure, &out)
        } else {
            completeMessage(&out)
        }
    }

    private mutating func finishChunk(size: Int64, last: Bool, _ out: inout [SMTPServerAction]) {
        body?.flush(into: &out)
        if let failure = body?.failure {
            endFailedBody(failure, &out)
        } else if last {
            completeMessage(&out)
        } else {
            phase = .command
            send(SMTPReply(250, .init(2, 0, 0), "\(size) octets received"), &out)
        }
    }

    /// The body broke a limit (`.messageAborted` was emitted then): the transaction is over, and
    /// BDAT chunks still in the pipeline are refused and skipped (RFC 3030 §2).
    private mutating func endFailedBody(_ failure: SMTPBodyAccumulator.Failure, _ out: inout [SMTPServerAction]) {
        body = nil
        endTransaction(&out)
        phase = .command
        send(failure.reply, &out)
    }

    private mutating func completeMessage(_ out: inout [SMTPServerAction]) {
        guard let transaction else {
            phase = .command
            return
        }
        let envelope = makeEnvelope(transaction)
        var spool: SMTPSpool?
        if case .open(let open) = transaction.spool { spool = open }
        let message = transaction.message(envelope, spool: spool)
        // The file is the effect's now: however the connection ends, the session no longer discards it.
        self.transaction?.spool = .notOpened
        body = nil
        phase = .awaitingEffect(.message(recipients: transaction.recipients.count))
        out.append(.effect(.messageComplete(message)))
    }

    /// Content is about to be consumed and no spool file was asked for yet.
    private var needsSpool: Bool {
        guard let transaction, body?.failure == nil, case .notOpened = transaction.spool else { return false }
        return true
    }

    private mutating func requestSpool(then next: Phase, _ out: inout [SMTPServerAction]) {
        guard let transaction else { return }
        request(.openSpool(transaction.trace(client: client)), .spool(then: next), &out)
    }

    // MARK: - Helpers shared with the command handlers

    func newTransaction(_ mail: SMTPMailCommand) -> Transaction {
        Transaction(mail: mail, heloName: greeting?.name ?? "", protocolName: protocolName(smtpUTF8: mail.smtpUTF8))
    }

    func makeEnvelope(_ transaction: Transaction) -> SMTPEnvelope {
        transaction.envelope(
            heloName: greeting?.name ?? "", protocolName: protocolName(smtpUTF8: transaction.mail.smtpUTF8), client: client,
            body: body, authenticatedUser: authenticatedUser)
    }

    func protocolName(smtpUTF8: Bool) -> String {
        let kind: SMTPProtocolName.Greeting
        switch greeting {
        case .helo: kind = .helo
        case .lhlo: kind = .lhlo
        case .ehlo, nil: kind = configuration.mode == .lmtp ? .lhlo : .ehlo
        }
        return SMTPProtocolName.make(
            greeting: kind, smtpUTF8: smtpUTF8, tls: client.isTLS, authenticated: authenticatedUser != nil)
    }

    /// Emits an effect; the session then waits for `resume(_:)`.
    mutating func request(_ effect: SMTPEffect, _ pending: Pending, _ out: inout [SMTPServerAction]) {
        out.append(.effect(effect))
        phase = .awaitingEffect(pending)
    }

    /// Sends a reply; a 421 closes the connection (RFC 5321 §3.8).
    mutating func send(_ reply: SMTPReply, _ out: inout [SMTPServerAction]) {
        if reply.code == 421 {
            closeWith(reply, &out)
        } else {
            out.append(.reply(reply))
        }
    }

    /// Replies to a bad command, or closes with `421 4.7.0` once there have been too many.
    mutating func error(_ reply: SMTPReply, _ out: inout [SMTPServerAction]) {
        errorCount += 1
        if errorCount > configuration.maxErrors {
            closeWith(SMTPServerReplies.tooManyErrors, &out)
        } else {
            send(reply, &out)
        }
    }

    /// Counts a command line; false (after closing with `421 4.7.0`) when over the limit.
    mutating func countCommand(_ out: inout [SMTPServerAction]) -> Bool {
        commandCount += 1
        if commandCount > configuration.maxCommands {
            closeWith(SMTPServerReplies.tooManyCommands, &out)
            return false
        }
        if let cap = configuration.maxCommandsBeforeLogin, authenticatedUser == nil, commandCount > cap {
            closeWith(SMTPServerReplies.tooManyCommandsBeforeLogin, &out)
            return false
        }
        return true
    }

    mutating func closeWith(_ reply: SMTPReply, _ out: inout [SMTPServerAction]) {
        resetTransaction(&out)
        out.append(.reply(reply))
        out.append(.close)
        phase = .closed
        input.removeAll()
    }

    /// Ends the transaction; a body in progress is aborted.
    mutating func resetTransaction(_ out: inout [SMTPServerAction]) {
        if let body, body.failure == nil { out.append(.messageAborted) }
        body = nil
        endTransaction(&out)
    }

    /// Forgets the transaction, discarding its spool file.
    private mutating func endTransaction(_ out: inout [SMTPServerAction]) {
        if case .open(let open)? = transaction?.spool {
            out.append(.discardSpool(open))
            spool = nil
        }
        transaction = nil
    }

    func validated(_ reply: SMTPReply) -> SMTPReply {
        (200...599).contains(reply.code) ? reply : SMTPServerReplies.internalError
    }

    func single(_ result: SMTPEffectResult) -> SMTPReply {
        switch result {
        case .reply(let reply), .recipientAccepted(let reply, _): validated(reply)
        case .replies(let replies): replies.first.map(validated) ?? SMTPServerReplies.internalError
        case .authenticated, .spoolOpened: SMTPServerReplies.internalError
        }
    }

    private func perRecipient(_ result: SMTPEffectResult, count: Int) -> [SMTPReply] {
        switch result {
        case .reply(let reply):
            return Array(repeating: validated(reply), count: count)
        case .replies(let replies):
            let given = replies.prefix(count).map(validated)
            return given + Array(repeating: SMTPServerReplies.internalError, count: count - given.count)
        case .recipientAccepted(let reply, _):
            return Array(repeating: validated(reply), count: count)
        case .authenticated, .spoolOpened:
            return Array(repeating: SMTPServerReplies.internalError, count: count)
        }
    }
}
