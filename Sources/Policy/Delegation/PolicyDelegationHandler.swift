import Logging
import NIOCore

/// The SwiftNIO adapter of one delegation connection: feeds bytes to the session, asks the
/// engine for each request in turn (replies keep request order), and closes on a protocol error.
public final class PolicyDelegationHandler: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private var session = PolicyDelegationSession()
    private let engine: PolicyEngine
    private let logger: Logger
    private var pending: [PolicyDelegationSession.Item] = []
    private var busy = false

    public init(engine: PolicyEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            pending += try session.receive(buffer.readableBytesView)
        } catch {
            logger.info("policy protocol error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        next(context: context)
    }

    private func next(context: ChannelHandlerContext) {
        while !busy, !pending.isEmpty {
            switch pending.removeFirst() {
            case .answer(let bytes):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
            case .evaluate(let request):
                busy = true
                let engine = engine
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.makeFutureWithTask { await engine.evaluate(request) }.whenSuccess { verdict in
                    let (handler, context) = bound.value
                    let bytes = handler.session.reply(verdict, to: request)
                    context.writeAndFlush(handler.wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
                    handler.busy = false
                    handler.next(context: context)
                }
            }
        }
    }
}
