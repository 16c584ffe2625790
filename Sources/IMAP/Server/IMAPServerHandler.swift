import Connection
import Logging
import NIOCore
import NIOSSL

/// The SwiftNIO adapter of one IMAP connection: frames bytes with `IMAPFramer`, answers
/// continuation requests for synchronising literals, and hands inputs to the session's task one
/// at a time. Reads stop while a complete command waits for the session or the client does not
/// read our responses (`ReadGate`), so a pipelining client cannot make the server buffer without
/// bound. The idle timer does not run while the session works on a command (`ConnectionActivity`);
/// the login timeout and the cap on commands before login end an anonymous connection with `* BYE`.
///
/// All state is touched on the channel's event loop; the session reaches it through
/// `IMAPChannelTransport`.
final class IMAPServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var framer: IMAPFramer
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var waiter: EventLoopPromise<IMAPInput>?
    private var queued: [IMAPInput] = []
    private var gate = ReadGate()
    private var closed = false
    /// The session is working on an input it took (not waiting in `next`).
    private var busy = false
    private var loggedIn = false
    private var commandsBeforeLogin = 0
    private let maxCommandsBeforeLogin: Int

    /// Limits until the client has logged in: no message can be sent yet, so literals of a few KiB
    /// suffice and an anonymous client cannot make the server hold large ones. A line may still be as
    /// long as a full ID command (RFC 2971 §3.3: 30 pairs of 30-octet fields and 1024-octet values).
    static let loginLimits = IMAPFramer.Limits(maxLineLength: 64 * 1024, maxLiteralSize: 8 * 1024)

    private let authenticatedLimits: IMAPFramer.Limits

    init(limits: IMAPFramer.Limits, maxCommandsBeforeLogin: Int, logger: Logger) {
        framer = IMAPFramer(limits: Self.loginLimits)
        authenticatedLimits = limits
        self.maxCommandsBeforeLogin = maxCommandsBeforeLogin
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !closed { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    /// Says `* BYE` and closes, dropping whatever the client sent meanwhile (RFC 9051 §7.1.5).
    private func bye(_ text: String, context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        framer = IMAPFramer(limits: framer.limits)
        context.closeAfterFlush(ByteBuffer(string: "* BYE \(text)\r\n"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closed else { return }
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        pump(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        queued.append(.closed)
        deliver()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        gate.read(context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ConnectionTimeout.loginDeadline as ConnectionTimeout:
            // RFC 9051 §5.4 allows a short timer before login; it runs from the connection's start,
            // so a client trickling bytes cannot hold the connection.
            logger.info("login timeout")
            bye("Login timeout", context: context)
        case ConnectionTimeout.idle as ConnectionTimeout:
            queued.append(.idle)
            deliver()
        case is ChannelShouldQuiesceEvent:
            queued.append(.shutdown)
            deliver()
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Transport operations (on the event loop)

    func next(_ promise: EventLoopPromise<IMAPInput>) {
        if let waiter { waiter.succeed(.closed) }
        waiter = promise
        if busy, let context {
            busy = false
            context.triggerUserOutboundEvent(ConnectionActivity.ready, promise: nil)
        }
        if let context { pump(context: context) } else { deliver() }
    }

    func expectLine() { framer.expectLine() }

    /// The client logged in: the login deadline is off and literals up to the APPEND limit are accepted.
    func authenticated() {
        loggedIn = true
        context?.triggerUserOutboundEvent(ConnectionActivity.authenticated, promise: nil)
        framer.limits = authenticatedLimits
    }

    func inject(_ input: IMAPInput) {
        queued.append(input)
        deliver()
    }

    /// Drops whatever the client sent after STARTTLS and puts TLS first in the pipeline.
    func discardBufferedInput() {
        framer = IMAPFramer(limits: framer.limits)
        queued.removeAll {
            switch $0 {
            case .frame, .line, .framingError: true
            default: false
            }
        }
    }

    // MARK: Framing

    /// Frames buffered bytes into inputs while the session waits for one. Reads from the socket
    /// go on only while the framer has used up what it holds (and the client reads our
    /// responses), so pipelined commands wait in the socket, not in memory.
    private func pump(context: ChannelHandlerContext) {
        var starved = false
        while queued.isEmpty, context.channel.isWritable {
            guard let event = framer.next() else {
                starved = true
                break
            }
            switch event {
            case .frame(let bytes):
                guard countBeforeLogin(context) else { return }
                queued.append(.frame(bytes))
            case .line(let bytes): queued.append(.line(bytes))
            case .error(let error):
                guard countBeforeLogin(context) else { return }
                queued.append(.framingError(error))
            case .continuationRequest:
                // RFC 9051 §7.5: the server is ready for the literal's octets.
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "+ Ready for literal data\r\n")), promise: nil)
            }
        }
        deliver()
        if starved && queued.isEmpty {
            gate.unpause()
            gate.releaseHeldRead(context)
        } else {
            gate.pause()
        }
    }

    /// Counts a command of a client not logged in; false (after `* BYE`) once over the cap.
    private func countBeforeLogin(_ context: ChannelHandlerContext) -> Bool {
        guard !loggedIn else { return true }
        commandsBeforeLogin += 1
        guard commandsBeforeLogin > maxCommandsBeforeLogin else { return true }
        logger.info("too many commands before login")
        bye("Too many commands before login", context: context)
        return false
    }

    private func deliver() {
        guard let waiter, !queued.isEmpty else { return }
        self.waiter = nil
        busy = true
        context?.triggerUserOutboundEvent(ConnectionActivity.busy, promise: nil)
        waiter.succeed(queued.removeFirst())
    }
}

/// `IMAPTransport` over a NIO channel whose pipeline holds an `IMAPServerHandler`.
final class IMAPChannelTransport: IMAPTransport {
    private let channel: any Channel
    private let handler: NIOLoopBound<IMAPServerHandler>
    private let tls: NIOSSLContext?
    private let logger: Logger

    init(channel: any Channel, handler: IMAPServerHandler, tls: NIOSSLContext?, logger: Logger) {
        self.channel = channel
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.tls = tls
        self.logger = logger
    }

    func next() async -> IMAPInput {
        let promise = channel.eventLoop.makePromise(of: IMAPInput.self)
        channel.eventLoop.execute { [handler] in handler.value.next(promise) }
        return (try? await promise.futureResult.get()) ?? .closed
    }

    func expectLine() async {
        try? await channel.eventLoop.submit { [handler] in handler.value.expectLine() }.get()
    }

    /// A client that stops reading for this long is dropped (nothing else would time it out:
    /// the session waits on the write, not on input).
    static let sendTimeout: TimeAmount = .minutes(2)

    func send(_ bytes: [UInt8]) async throws {
        let channel = channel
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: written)
        let deadline = channel.eventLoop.scheduleTask(in: Self.sendTimeout) { channel.close(promise: nil) }
        written.futureResult.whenComplete { _ in deadline.cancel() }
        try await written.futureResult.get()
    }

    func authenticated() async {
        try? await channel.eventLoop.submit { [handler] in handler.value.authenticated() }.get()
    }

    func startTLS(after response: [UInt8]) async throws {
        guard let tls else { throw IMAPTransportError.noTLS }
        let channel = channel
        try await channel.eventLoop.flatSubmit { [handler] () -> EventLoopFuture<Void> in
            handler.value.discardBufferedInput()
            let written = channel.eventLoop.makePromise(of: Void.self)
            channel.writeAndFlush(ByteBuffer(bytes: response), promise: written)
            do {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
            return written.futureResult
        }.get()
    }

    func inject(_ input: IMAPInput) {
        channel.eventLoop.execute { [handler] in handler.value.inject(input) }
    }

    func close() async {
        try? await channel.close()
    }
}

enum IMAPTransportError: Error {
    case noTLS
}
