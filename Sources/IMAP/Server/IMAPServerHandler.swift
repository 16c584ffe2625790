import Connection
import Core
import Directory
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// The SwiftNIO adapter of one IMAP connection: frames bytes with `IMAPFramer` into the sans-I/O
/// `IMAPSession`, performs its actions (writes, effects against the store, IDLE watching, STARTTLS)
/// and feeds effect results back. Back-pressure (`GatedSessionHandler`): input goes to the session a
/// command at a time, and only while no effect runs and the client reads our responses; an effect
/// starts only once the responses before it can be written, so a big FETCH streams at the client's pace.
/// The idle timer does not run while an effect runs (`ConnectionActivity`); the login timeout and
/// the cap on commands before login end an anonymous connection with `* BYE`.
final class IMAPServerHandler: ChannelDuplexHandler, RemovableChannelHandler, GatedSessionHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var session: IMAPSession
    private let backend: IMAPBackend
    private let tls: NIOSSLContext?
    private let clientIP: String
    private let protocolName: String
    private var logger: Logger
    private var framer: IMAPFramer
    var gate = ReadGate()
    private var context: ChannelHandlerContext?
    private var greeted = false
    private var closed = false
    private var startingTLS = false
    private var loggedIn = false
    private var commandsBeforeLogin = 0
    /// The command being answered, for `posta_imap_command_duration_seconds`.
    private var commandTimer = CommandTimer()
    /// When the session last got input (RFC 9051 §5.4 autologout counts from there).
    private var lastInput = NIODeadline.now()
    /// An effect waiting for the client to read the responses before it.
    private var waitingEffect: IMAPEffect?
    /// IDLE's subscription to the store's change notifications.
    private var watcher: Task<Void, Never>?

    /// Limits until the client has logged in: no message can be sent yet, so literals of a few KiB
    /// suffice and an anonymous client cannot make the server hold large ones. A line may still be as
    /// long as a full ID command (RFC 2971 §3.3: 30 pairs of 30-octet fields and 1024-octet values).
    static let loginLimits = IMAPFramer.Limits(maxLineLength: 64 * 1024, maxLiteralSize: 8 * 1024)

    private let authenticatedLimits: IMAPFramer.Limits

    init(
        backend: IMAPBackend, configuration: IMAPConfiguration, clientIP: String, isTLS: Bool, tls: NIOSSLContext?,
        protocolName: String, logger: Logger
    ) {
        session = IMAPSession(configuration: configuration, isTLS: isTLS)
        framer = IMAPFramer(limits: Self.loginLimits)
        authenticatedLimits = IMAPFramer.Limits(maxLiteralSize: configuration.appendLimit)
        self.backend = backend
        self.tls = tls
        self.clientIP = clientIP
        self.protocolName = protocolName
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { greet(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        greet(context)
        context.fireChannelActive()
    }

    private func greet(_ context: ChannelHandlerContext) {
        guard !greeted else { return }
        greeted = true
        logger.info("connect")
        perform(session.start(), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        stopWatching()
        logger.info("disconnect")
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        gatedRead(unwrapInboundIn(data), context: context)
    }

    func read(context: ChannelHandlerContext) {
        gate.read(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let effect = waitingEffect {
            waitingEffect = nil
            gate.unpause()
            run(effect, context: context)
        }
        drain(context: context)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ConnectionTimeout.loginDeadline as ConnectionTimeout:
            // RFC 9051 §5.4 allows a short timer before login; it runs from the connection's start,
            // so a client trickling bytes cannot hold the connection.
            logger.info("login timeout")
            bye("Login timeout", context: context)
        case ConnectionTimeout.idle as ConnectionTimeout:
            let actions = session.timeout(idleFor: .nanoseconds((NIODeadline.now() - lastInput).nanoseconds))
            if !actions.isEmpty { logger.info("autologout") }
            perform(actions, context: context)
        case is ChannelShouldQuiesceEvent:
            perform(session.shutdown(), context: context)
        case is AccountSessionRevoked:
            logger.notice("session revoked")
            perform(session.revoked(), context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Says `* BYE` and closes, dropping whatever the client sent meanwhile (RFC 9051 §7.1.5).
    private func bye(_ text: String, context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        stopWatching()
        gate.discardInput()
        context.closeAfterFlush(ByteBuffer(string: "* BYE \(text)\r\n"))
    }

    // MARK: Input

    var stopsFeeding: Bool { closed }

    /// The framer cuts commands; the gate hands it whatever is held.
    func nextPiece(context: ChannelHandlerContext) -> ReadGate.PieceShape { .init(wholeLines: false) }

    func feed(_ piece: [UInt8], context: ChannelHandlerContext) {
        framer.append(piece)
    }

    /// The framer's next event, while the session can take one (nothing runs between STARTTLS and
    /// the handshake's end: the switch dropped what was framed).
    func feedBuffered(context: ChannelHandlerContext) -> Bool {
        guard !startingTLS, let event = framer.next() else { return false }
        handle(event, context: context)
        return true
    }

    private func handle(_ event: IMAPFramer.Event, context: ChannelHandlerContext) {
        switch event {
        case .frame(let bytes):
            guard countBeforeLogin(context) else { return }
            commandTimer.start(
                IMAPMetrics.commandName(bytes), counter: IMAPMetrics.commands, histogram: IMAPMetrics.commandDuration)
            feed(.frame(bytes), context: context)
        case .line(let bytes):
            feed(.line(bytes), context: context)
        case .error(let error):
            guard countBeforeLogin(context) else { return }
            feed(.framingError(error), context: context)
        case .continuationRequest:
            // RFC 9051 §7.5: the server is ready for the literal's octets.
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "+ Ready for literal data\r\n")), promise: nil)
        }
    }

    private func feed(_ input: IMAPInput, context: ChannelHandlerContext) {
        lastInput = .now()
        perform(session.receive(input), context: context)
    }

    /// Counts a command of a client not logged in; false (after `* BYE`) once over the cap.
    private func countBeforeLogin(_ context: ChannelHandlerContext) -> Bool {
        guard !loggedIn else { return true }
        commandsBeforeLogin += 1
        guard commandsBeforeLogin > session.configuration.maxCommandsBeforeLogin else { return true }
        logger.info("too many commands before login")
        bye("Too many commands before login", context: context)
        return false
    }

    // MARK: Actions

    private func perform(_ actions: [IMAPAction], context: ChannelHandlerContext) {
        guard !closed else { return }
        var wrote = false
        for action in actions {
            switch action {
            case .send(let bytes):
                context.write(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
                wrote = true
            case .expectLine:
                framer.expectLine()
            case .authenticated(let account):
                loggedIn = true
                framer.limits = authenticatedLimits
                logger[metadataKey: "user"] = "\(account.address)"
                context.triggerUserOutboundEvent(ConnectionActivity.authenticated, promise: nil)
            case .watch(let mailboxID):
                watch(mailboxID, context: context)
            case .unwatch:
                stopWatching()
            case .startTLS:
                // RFC 9051 §6.2.1, RFC 2595 §3.1: the OK goes out in plaintext; nothing read before
                // the handshake is executed after it (the switch drops it, framed or not).
                wrote = false
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                startingTLS = STARTTLSSwitch.start(
                    context, tls: tls, logger: logger,
                    discard: {
                        framer = IMAPFramer(limits: framer.limits)
                        gate.discardInput()
                    },
                    handshakeCompleted: {
                        let (handler, context) = bound.value
                        handler.startingTLS = false
                        handler.perform(handler.session.tlsEstablished(), context: context)
                        handler.drain(context: context)
                    })
            case .effect(let effect):
                context.flush()
                if context.channel.isWritable {
                    run(effect, context: context)
                } else {
                    // Reads stop until the client has read what came before (the idle clock runs on).
                    gate.pause()
                    waitingEffect = effect
                }
                return
            case .close:
                closed = true
                stopWatching()
                commandTimer.finish(IMAPMetrics.commandDuration)
                context.closeAfterFlush()
                return
            }
        }
        // No effect pending: the command (if any) is answered.
        commandTimer.finish(IMAPMetrics.commandDuration)
        if wrote && !gate.isDraining { context.flush() }
    }

    /// Runs an effect as a task (`runEffect`: reads pause, the idle clock stops) and feeds its result back.
    private func run(_ effect: IMAPEffect, context: ChannelHandlerContext) {
        let work: @Sendable () async -> IMAPEffectResult
        if case .login(let user, let password, let mechanism) = effect {
            var loginLogger = logger
            loginLogger[metadataKey: "mechanism"] = "\(mechanism)"
            let (authenticator, clientIP, protocolName, channel) = (
                backend.authenticator, clientIP, protocolName, context.channel
            )
            let taskLogger = loginLogger
            work = {
                switch await authenticator.login(
                    user: user, password: password, clientIP: clientIP, protocolName: protocolName, logger: taskLogger)
                {
                case .success(let account):
                    // Ends this session when the account is disabled or its password changes.
                    authenticator.sessions.register(account, channel: channel)
                    return .login(.success(IMAPAccount(id: account.id, address: account.address)))
                case .invalidCredentials: return .login(.invalidCredentials)
                case .throttled: return .login(.throttled)
                case .unavailable: return .login(.unavailable)
                case .passwordExpired: return .login(.passwordExpired)
                }
            }
        } else {
            let store = backend.store
            work = { await store.perform(effect) }
        }
        let logger = logger
        runEffect(context, work) { handler, context, result in
            if case .failed(let failure) = result, failure == .internalError || failure == .unavailable {
                logger.error("command failed", metadata: ["effect": "\(Self.name(effect))", "error": "\(failure)"])
            }
            guard !handler.closed else { return }
            handler.lastInput = .now()
            handler.perform(handler.session.resume(result), context: context)
        }
    }

    private static func name(_ effect: IMAPEffect) -> String {
        String(describing: effect).prefix { $0 != "(" }.description
    }

    // MARK: IDLE (RFC 2177)

    /// Subscribes at once (so no change falls between this and the session's first look), then
    /// turns each notification into `mailboxChanged()` on the event loop.
    private func watch(_ mailboxID: Int64, context: ChannelHandlerContext) {
        stopWatching()
        let changes = backend.notifier.changes(mailboxID: mailboxID)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        watcher = Task {
            for await _ in changes {
                loop.execute {
                    let (handler, context) = bound.value
                    guard !handler.closed else { return }
                    handler.perform(handler.session.mailboxChanged(), context: context)
                }
            }
        }
        IMAPMetrics.idleSessions.increment()
    }

    private func stopWatching() {
        if watcher != nil { IMAPMetrics.idleSessions.decrement() }
        watcher?.cancel()
        watcher = nil
    }
}
