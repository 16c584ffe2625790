import Connection
import Core
import Directory
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// The SwiftNIO adapter of one SMTP or LMTP connection: feeds bytes to the sans-I/O
/// `SMTPServerSession`, performs its actions (replies, effects against directory and queue,
/// streaming the message into the spool, STARTTLS) and feeds results back.
///
/// Back-pressure (`ReadGate`): input goes to the session a command line at a time, and only while
/// no effect runs and the client reads our replies; otherwise reading from the socket stops, so a
/// client pipelining without reading cannot make us buffer without bound. The idle timer does not
/// run while an effect runs (`ConnectionActivity`): a slow end-of-DATA must never time out the
/// client it is about to accept a message from.
public final class SMTPServerHandler: ChannelDuplexHandler, RemovableChannelHandler, GatedSessionHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// The session, which owns the transaction (sender, recipients and their deliveries, policy,
    /// spool file, trace fields): the handler keeps none of it.
    private var session: SMTPServerSession
    private let receiver: SMTPReceiver
    private let tls: NIOSSLContext?
    private let logger: Logger
    private let clientIP: String

    /// While an effect runs or the client is not reading, the session waits and reads are held back.
    package var gate = ReadGate()
    /// The channel reads in content-sized pieces (DATA, BDAT).
    private var readingContent = false
    private var login = LoginSignal()
    private var waiting: Bool { gate.isPaused }
    /// Shutdown asked us to finish: close after the current transaction.
    private var closeWhenIdle = false
    /// The account was disabled or its password changed: close once no effect runs.
    private var revoked = false
    private var closing = false
    package var stopsFeeding: Bool { closing }

    public init(
        receiver: SMTPReceiver, configuration: SMTPServerConfiguration, clientIP: String, isTLS: Bool, tls: NIOSSLContext?,
        logger: Logger
    ) {
        self.session = SMTPServerSession(configuration: configuration, client: SMTPClientInfo(remoteIP: clientIP, isTLS: isTLS))
        self.receiver = receiver
        self.tls = tls
        self.logger = logger
        self.clientIP = clientIP
    }

    // MARK: Channel events

    public func channelActive(context: ChannelHandlerContext) {
        logger.info("connect")
        perform(session.start(), context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        closing = true
        perform(session.connectionClosed(), context: context)
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

    /// Command lines one at a time; message content in larger pieces, read in larger pieces too.
    package func nextPiece(context: ChannelHandlerContext) -> ReadGate.PieceShape {
        let content = session.isReceivingContent
        if content != readingContent {
            readingContent = content
            ReadGate.readContent(content, context)
        }
        return content ? ReadGate.PieceShape(maxBytes: 64 * 1024, wholeLines: false) : .lines
    }

    package func feed(_ piece: [UInt8], context: ChannelHandlerContext) {
        perform(session.receive(piece), context: context)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let timeout as ConnectionTimeout:
            logger.info(timeout == .idle ? "timeout" : "login timeout")
            perform(timeout == .idle ? session.timeout() : session.loginTimeout(), context: context)
        case is AccountSessionRevoked:
            revoked = true
            if !waiting && !closing { shutDown(context: context, reply: Self.revokedReply) }
        case is ChannelShouldQuiesceEvent:
            if !session.hasTransaction && !waiting {
                shutDown(context: context)
            } else {
                closeWhenIdle = true
            }
        case let tlsEvent as TLSUserEvent:
            // Implicit TLS (RFC 8314); STARTTLS's handshake is reported by `STARTTLSSwitch`.
            if case .handshakeCompleted = tlsEvent { session.tlsNegotiated(tlsDescription(context: context)) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        closing = true
        perform(session.connectionClosed(), context: context)
        context.close(promise: nil)
    }

    // MARK: Actions

    private func perform(_ actions: [SMTPServerAction], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .reply(let reply):
                context.write(wrapOutboundOut(ByteBuffer(bytes: reply.encode())), promise: nil)
                receiver.count(reply, client: clientIP)
                wrote = true
                if !reply.isPositiveCompletion && !reply.isPositiveIntermediate {
                    logger.info("reply", metadata: ["reply": "\(reply.code) \(reply.lines.first ?? "")"])
                }
            case .messageData(let bytes):
                do {
                    try session.spool?.write(bytes)
                } catch {
                    // Keep reading the data; the end-of-data reply will be a temporary failure.
                    logger.error("spool write failed", metadata: ["error": "\(error)"])
                }
            case .messageAborted:
                break  // the session discards the spool file (`.discardSpool`)
            case .discardSpool(let spool):
                spool.discard()
            case .effect(let effect):
                if wrote { context.flush() }
                run(effect, context: context)
                return  // the session emits nothing more until `resume`
            case .startTLS:
                // RFC 3207 §4.2: what was pipelined after STARTTLS is dropped; the session starts over.
                STARTTLSSwitch.start(context, tls: tls, discarding: &gate, logger: logger) { [self] in
                    perform(session.tlsEstablished(tlsDescription(context: context)), context: context)
                }
            case .close:
                closing = true
                context.closeAfterFlush()
                return
            }
        }
        if wrote && !gate.isDraining { context.flush() }  // a drain flushes once at its end
        if revoked && !waiting && !closing {
            shutDown(context: context, reply: Self.revokedReply)
        } else if closeWhenIdle && !session.hasTransaction && !waiting && !closing {
            shutDown(context: context)
        }
    }

    /// A revoked session ends mid-transaction too (nothing of it was accepted yet).
    static let revokedReply = SMTPReply(421, .init(4, 7, 0), "Account disabled or credentials changed, closing connection")

    /// RFC 5321 §3.8: a server shutting down answers 421 and closes.
    private func shutDown(context: ChannelHandlerContext, reply: SMTPReply? = nil) {
        closing = true
        let reply = reply ?? SMTPReply(421, .init(4, 3, 2), "\(receiver.hostname) Service shutting down, try again later")
        context.closeAfterFlush(ByteBuffer(bytes: reply.encode()))
    }

    /// Runs an effect off the event loop; its result goes back to the session with `resume`.
    private func run(_ effect: SMTPEffect, context: ChannelHandlerContext) {
        let (receiver, logger) = (receiver, logger)
        let work: @Sendable () async -> SMTPEffectResult
        switch effect {
        case .openSpool(let trace):
            // On the event loop, as each write to the file is: the session goes on at once.
            return perform(session.resume(.spoolOpened(receiver.openSpool(trace, logger: logger))), context: context)
        case .checkSender(let envelope):
            work = { .reply(await receiver.checkSender(envelope)) }
        case .checkRecipient(let request):
            work = { await receiver.recipient(request) }
        case .messageComplete(let message):
            work = {
                let result = await receiver.complete(message, logger: logger)
                SMTPMetrics.transaction(result, mode: receiver.mode)
                return result
            }
        case .authenticate(let request):
            let (clientIP, isTLS, channel) = (clientIP, session.client.isTLS, context.channel)
            work = { await receiver.authenticate(request, clientIP: clientIP, tls: isTLS, channel: channel) }
        }
        runEffect(
            context, work,
            resume: { handler, context, result in
                handler.perform(handler.session.resume(result), context: context)
                handler.login.update(loggedIn: handler.session.authenticatedUser != nil, context)
            })
    }

    // MARK: TLS

    private func tlsDescription(context: ChannelHandlerContext) -> TLSInfo {
        TLSInfo(protocolVersion: ServerTLSUpgrade.protocolVersion(context) ?? "TLS", cipherSuite: "")
    }
}
