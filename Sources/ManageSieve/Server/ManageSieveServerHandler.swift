import Connection
import Directory
import Logging
import NIOCore
import NIOSSL

/// The SwiftNIO adapter of one ManageSieve connection: feeds bytes to the sans-I/O
/// `ManageSieveSession`, performs its actions (responses, logins, script operations, STARTTLS) and
/// feeds results back. Back-pressure (`ReadGate`): input goes to the session a command line at a
/// time (a literal's octets in larger pieces), and only while no effect runs and the client reads
/// our responses; otherwise reading from the socket stops. The idle timer does not run while an
/// effect runs.
public final class ManageSieveServerHandler: ChannelDuplexHandler, RemovableChannelHandler, GatedSessionHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// A literal's octets are handed to the session at most this many at a time.
    static let contentPieceSize = 64 * 1024

    private var session: ManageSieveSession
    private let backend: ManageSieveBackend
    private let tls: NIOSSLContext?
    private let logger: Logger
    private let clientIP: String
    private let protocolName: String

    package var gate = ReadGate()
    private var closing = false
    package var stopsFeeding: Bool { closing }
    private var readingContent = false
    private var login = LoginSignal()
    /// The logged-in session's entry in the revocation registry; UNAUTHENTICATE ends it.
    private var registration: SessionRegistration?

    public init(
        backend: ManageSieveBackend, configuration: ManageSieveConfiguration, clientIP: String, isTLS: Bool,
        tls: NIOSSLContext?, protocolName: String, logger: Logger
    ) {
        self.session = ManageSieveSession(configuration: configuration, isTLS: isTLS)
        self.backend = backend
        self.tls = tls
        self.logger = logger
        self.clientIP = clientIP
        self.protocolName = protocolName
    }

    // MARK: Channel events

    public func channelActive(context: ChannelHandlerContext) {
        logger.info("connect")
        perform(session.start(), context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        closing = true
        registration = nil
        logger.info("disconnect")
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        gatedRead(unwrapInboundIn(data), context: context)
    }

    public func read(context: ChannelHandlerContext) {
        gate.read(context)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        drain(context: context)
        context.fireChannelWritabilityChanged()
    }

    /// Command lines one at a time; a literal's octets in larger pieces, read in larger pieces too.
    package func nextPiece(context: ChannelHandlerContext) -> ReadGate.PieceShape {
        let remaining = session.literalBytesRemaining ?? 0
        let content = remaining > 0
        if content != readingContent {
            readingContent = content
            ReadGate.readContent(content, context)
        }
        return content ? ReadGate.PieceShape(maxBytes: min(remaining, Self.contentPieceSize), wholeLines: false) : .lines
    }

    package func feed(_ piece: [UInt8], context: ChannelHandlerContext) {
        perform(session.receive(piece), context: context)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ConnectionTimeout.loginDeadline as ConnectionTimeout:
            logger.info("login timeout")
            perform(session.loginTimeout(), context: context)
        case ConnectionTimeout.idle as ConnectionTimeout:
            guard !gate.isPaused else { return }
            logger.info("idle timeout")
            perform(session.timeout(), context: context)
        case is ChannelShouldQuiesceEvent:
            perform(session.shutdown(), context: context)
        case is AccountSessionRevoked:
            logger.info("session revoked")
            perform(session.revoked(), context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Actions

    private func perform(_ actions: [ManageSieveAction], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .send(let response):
                context.write(wrapOutboundOut(ByteBuffer(bytes: response.encode())), promise: nil)
                wrote = true
            case .effect(let effect):
                if wrote { context.flush() }
                run(effect, context: context)
                return
            case .startTLS:
                // RFC 5804 §2.2: what was pipelined after STARTTLS is dropped.
                wrote = false
                STARTTLSSwitch.start(context, tls: tls, discarding: &gate, logger: logger) { [self] in
                    perform(session.tlsEstablished(), context: context)
                }
            case .authenticated:
                login.update(loggedIn: true, context)
            case .unauthenticated:
                registration?.end()
                registration = nil
                logger.info("unauthenticated")
            case .close:
                closing = true
                registration = nil
                context.closeAfterFlush()
                return
            }
        }
        if wrote && !gate.isDraining { context.flush() }  // a drain flushes once at its end
    }

    private func resume(_ result: ManageSieveEffectResult, context: ChannelHandlerContext) {
        guard !closing else { return }
        perform(session.resume(result), context: context)
    }

    private func run(_ effect: ManageSieveEffect, context: ChannelHandlerContext) {
        let backend = backend
        switch effect {
        case .login(let user, let password, let mechanism):
            let (clientIP, protocolName, channel) = (clientIP, protocolName, context.channel)
            var loginLogger = logger
            loginLogger[metadataKey: "mechanism"] = "\(mechanism)"
            let taskLogger = loginLogger
            runEffect(context) {
                await backend.login(
                    user: user, password: password, clientIP: clientIP, protocolName: protocolName, channel: channel,
                    logger: taskLogger)
            } resume: { handler, context, outcome in
                let (result, registration) = outcome
                guard !handler.closing else { return }
                handler.registration = registration
                handler.resume(result, context: context)
            }
        case .script(let accountID, let operation):
            let logger = logger
            runEffect(context) {
                await backend.perform(operation, accountID: accountID, logger: logger)
            } resume: {
                $0.resume($2, context: $1)
            }
        }
    }
}
