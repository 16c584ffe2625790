import Connection
import Core
import Directory
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import Queue

/// The SwiftNIO adapter of one SMTP or LMTP connection: feeds bytes to the sans-I/O
/// `SMTPServerSession`, performs its actions (replies, effects against directory and queue,
/// streaming the message into the spool, STARTTLS) and feeds results back.
///
/// Back-pressure (`ReadGate`): input goes to the session a command line at a time, and only while
/// no effect runs and the client reads our replies; otherwise reading from the socket stops, so a
/// client pipelining without reading cannot make us buffer without bound. The idle timer does not
/// run while an effect runs (`ConnectionActivity`): a slow end-of-DATA must never time out the
/// client it is about to accept a message from.
public final class SMTPServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private var session: SMTPServerSession
    private let receiver: SMTPReceiver
    private let tls: NIOSSLContext?
    private let logger: Logger
    private let clientIP: String

    /// While an effect runs or the client is not reading, the session waits and reads are held back.
    private var gate = ReadGate()
    /// Feeding held input: replies are flushed once per turn, not once per command line.
    private var draining = false
    /// The channel reads in content-sized pieces (DATA, BDAT).
    private var readingContent = false
    /// `ConnectionActivity.authenticated` was sent.
    private var reportedLogin = false
    private var waiting: Bool { gate.isPaused }
    /// Shutdown asked us to finish: close after the current transaction.
    private var closeWhenIdle = false
    /// The account was disabled or its password changed: close once no effect runs.
    private var revoked = false
    private var closing = false
    /// STARTTLS was answered and the handshake is ours to report to the session.
    private var startingTLS = false
    /// Protocol version of the encrypted connection, for Received: headers.
    private var tlsInfo: TLSInfo?

    /// The transaction being received.
    private var sender: SMTPEnvelope?
    private var accepted: [String: [QueuedDelivery]] = [:]
    /// What policy decided at RCPT for the message as a whole.
    private var messagePolicy = SMTPMessagePolicy()
    private var spool: (id: String, file: DurableFile)?
    private var spoolFailed = false

    public init(receiver: SMTPReceiver, configuration: SMTPServerConfiguration, clientIP: String, isTLS: Bool, tls: NIOSSLContext?, logger: Logger) {
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
        discardSpool()
        logger.info("disconnect")
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        gate.hold(unwrapInboundIn(data))
        drain(context: context)
    }

    public func read(context: ChannelHandlerContext) {
        gate.read(context)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        drain(context: context)
        context.fireChannelWritabilityChanged()
    }

    /// Feeds held input to the session while it can take it (see `ReadGate`).
    private func drain(context: ChannelHandlerContext) {
        draining = true
        defer {
            draining = false
            context.flush()
        }
        while !closing {
            let content = session.isReceivingContent
            if content != readingContent {
                readingContent = content
                ReadGate.readContent(content, context)
            }
            guard let piece = gate.nextInput(context, maxBytes: content ? 64 * 1024 : ReadGate.defaultPieceSize, wholeLines: !content)
            else { break }
            perform(session.receive(piece), context: context)
        }
        gate.endTurn(context, handler: self) { $0.drain(context: $1) }
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
            if sender == nil && !waiting {
                shutDown(context: context)
            } else {
                closeWhenIdle = true
            }
        case let tlsEvent as TLSUserEvent:
            if case .handshakeCompleted = tlsEvent {
                tlsInfo = tlsDescription(context: context)
                if startingTLS, let tlsInfo {
                    startingTLS = false
                    perform(session.tlsEstablished(tlsInfo), context: context)
                }
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        discardSpool()
        context.close(promise: nil)
    }

    // MARK: Actions

    private func perform(_ actions: [SMTPServerAction], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .reply(let reply):
                context.write(wrapOutboundOut(ByteBuffer(bytes: reply.encode())), promise: nil)
                wrote = true
                if !reply.isPositiveCompletion && !reply.isPositiveIntermediate {
                    logger.info("reply", metadata: ["reply": "\(reply.code) \(reply.lines.first ?? "")"])
                }
            case .messageData(let bytes):
                writeToSpool(bytes)
            case .messageAborted:
                discardSpool()
            case .effect(let effect):
                if wrote { context.flush() }
                run(effect, context: context)
                return  // the session emits nothing more until `resume`
            case .startTLS:
                context.flush()
                gate.discardInput()  // RFC 3207 §4.2: nothing pipelined before the handshake counts
                startingTLS = true
                ServerTLSUpgrade.start(context, tls: tls, logger: logger)
            case .close:
                closing = true
                context.closeAfterFlush()
                return
            }
        }
        if wrote && !draining { context.flush() }  // a drain flushes once at its end
        if revoked && !waiting && !closing {
            shutDown(context: context, reply: Self.revokedReply)
        } else if closeWhenIdle && sender == nil && !waiting && !closing {
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

    private func run(_ effect: SMTPEffect, context: ChannelHandlerContext) {
        gate.pause()
        context.triggerUserOutboundEvent(ConnectionActivity.busy, promise: nil)
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let receiver = receiver
        /// The result for the session, and for an accepted recipient its deliveries and policy.
        let work: @Sendable () async -> (SMTPEffectResult, AcceptedRecipient?)
        switch effect {
        case .checkSender(let envelope):
            sender = envelope
            accepted = [:]
            messagePolicy = SMTPMessagePolicy()
            work = { (.reply(await receiver.checkSender(envelope)), nil) }
        case .checkRecipient(let request):
            let address = request.recipient.address
            let key = address.description
            let orcpt = request.recipient.orcpt
            let notify = request.recipient.notify
            work = {
                let verdict = await receiver.checkRecipient(address, orcpt: orcpt, notify: notify)
                guard verdict.reply.isPositiveCompletion else { return (.reply(verdict.reply), nil) }
                switch await receiver.policyOutcome(for: request) {
                case .refuse(let refusal): return (.reply(refusal), nil)
                case .accept(let policy): return (.reply(verdict.reply), AcceptedRecipient(key, verdict.deliveries, policy))
                }
            }
        case .messageComplete(let envelope):
            let pending = takeSpool()
            let deliveries = envelope.recipients.map { accepted[$0.address.description] ?? [] }
            let failed = spoolFailed
            let policy = messagePolicy
            spoolFailed = false
            sender = nil
            accepted = [:]
            messagePolicy = SMTPMessagePolicy()
            let logger = logger
            work = {
                let result = await receiver.complete(
                    envelope: envelope, spool: pending, spoolFailed: failed, deliveries: deliveries, policy: policy,
                    logger: logger)
                return (result, nil)
            }
        case .authenticate(let request):
            let (clientIP, isTLS, channel) = (clientIP, tlsInfo != nil, context.channel)
            work = { (await receiver.authenticate(request, clientIP: clientIP, tls: isTLS, channel: channel), nil) }
        }
        context.eventLoop.makeFutureWithTask(work).whenSuccess { result, accepted in
            let (handler, context) = bound.value
            if let accepted {
                handler.accepted[accepted.key] = accepted.deliveries
                handler.messagePolicy.merge(accepted.policy)
            }
            handler.gate.unpause()
            context.triggerUserOutboundEvent(ConnectionActivity.ready, promise: nil)
            handler.perform(handler.session.resume(result), context: context)
            if !handler.reportedLogin, handler.session.authenticatedUser != nil {
                handler.reportedLogin = true
                context.triggerUserOutboundEvent(ConnectionActivity.authenticated, promise: nil)
            }
            handler.drain(context: context)
        }
    }

    /// A recipient the receiver and the policy accepted.
    private struct AcceptedRecipient: Sendable {
        var key: String
        var deliveries: [QueuedDelivery]
        var policy: SMTPMessagePolicy

        init(_ key: String, _ deliveries: [QueuedDelivery], _ policy: SMTPMessagePolicy) {
            (self.key, self.deliveries, self.policy) = (key, deliveries, policy)
        }
    }

    // MARK: Spool

    private func writeToSpool(_ bytes: [UInt8]) {
        guard !spoolFailed else { return }
        do {
            if spool == nil {
                let opened = try receiver.queue.openSpoolFile()
                spool = opened
                try opened.file.write(Array(receivedHeader(queueID: opened.id).utf8))
            }
            try spool?.file.write(bytes)
        } catch {
            // Keep reading the data; the end-of-data reply will be a temporary failure.
            logger.error("spool write failed", metadata: ["error": "\(error)"])
            spoolFailed = true
            discardSpool()
        }
    }

    private func takeSpool() -> (id: String, file: DurableFile)? {
        defer { spool = nil }
        return spool
    }

    private func discardSpool() {
        spool?.file.discard()
        spool = nil
    }

    private func receivedHeader(queueID: String) -> String {
        let recipients = Array(accepted.keys)
        return TraceHeaders.received(
            helo: sender?.heloName ?? "unknown", clientIP: clientIP, byHost: receiver.hostname,
            protocolName: sender?.protocolName ?? "SMTP", queueID: queueID, tls: tlsInfo?.protocolVersion,
            recipient: recipients.count == 1 ? recipients[0] : nil)
    }

    // MARK: TLS

    private func tlsDescription(context: ChannelHandlerContext) -> TLSInfo {
        TLSInfo(protocolVersion: ServerTLSUpgrade.protocolVersion(context) ?? "TLS", cipherSuite: "")
    }
}
