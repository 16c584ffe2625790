import Logging
import NIOCore
import NIOSSL

/// The SwiftNIO adapter of one IMAP connection: frames bytes with `IMAPFramer`, answers
/// continuation requests for synchronising literals, and hands inputs to the session's task one
/// at a time. Reads stop while a complete command waits for the session, so a pipelining client
/// cannot make the server buffer without bound.
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
    private var gate = ReadGateState()
    private var closed = false

    init(limits: IMAPFramer.Limits, logger: Logger) {
        framer = IMAPFramer(limits: limits)
        self.logger = logger
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

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
        if gate.paused { gate.pending = true } else { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is IdleStateHandler.IdleStateEvent:
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
        if let context { pump(context: context) } else { deliver() }
    }

    func expectLine() { framer.expectLine() }

    func inject(_ input: IMAPInput) {
        queued.append(input)
        deliver()
    }

    /// Drops whatever the client sent after STARTTLS and puts TLS first in the pipeline.
    func discardBufferedInput() {
        framer = IMAPFramer(limits: framer.limits)
        queued.removeAll { if case .frame = $0 { true } else if case .line = $0 { true } else { false } }
    }

    // MARK: Framing

    /// Frames buffered bytes into inputs while the session waits for one; pauses reads once a
    /// complete input is queued.
    private func pump(context: ChannelHandlerContext) {
        while queued.isEmpty, let event = framer.next() {
            switch event {
            case .frame(let bytes): queued.append(.frame(bytes))
            case .line(let bytes): queued.append(.line(bytes))
            case .error(let error): queued.append(.framingError(error))
            case .continuationRequest:
                // RFC 9051 §7.5: the server is ready for the literal's octets.
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "+ Ready for literal data\r\n")), promise: nil)
            }
        }
        deliver()
        if queued.isEmpty {
            gate.paused = false
            if gate.pending {
                gate.pending = false
                context.read()
            }
        } else {
            gate.paused = true
        }
    }

    private func deliver() {
        guard let waiter, !queued.isEmpty else { return }
        self.waiter = nil
        waiter.succeed(queued.removeFirst())
    }
}

/// Reads held back while the session has not taken the last complete input.
private struct ReadGateState {
    var paused = false
    var pending = false
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

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func startTLS(after response: [UInt8]) async throws {
        guard let tls else { throw IMAPTransportError.noTLS }
        let channel = channel
        try await channel.eventLoop.flatSubmit { [handler] () -> EventLoopFuture<Void> in
            handler.value.discardBufferedInput()
            let written = channel.writeAndFlush(NIOAny(ByteBuffer(bytes: response)))
            do {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
            return written
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
