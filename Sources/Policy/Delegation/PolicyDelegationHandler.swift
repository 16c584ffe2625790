import Connection
import Logging
import NIOCore

/// The SwiftNIO adapter of one delegation connection: feeds bytes to the session, asks the
/// engine for each request in turn (replies keep request order), and closes on a protocol error.
///
/// Back-pressure (`ReadGate`): input goes to the session a line at a time, and not while a request
/// is being evaluated or the client is not reading our replies; then reading from the socket stops.
/// So at most one request is pending per connection however many the client pipelines.
public final class PolicyDelegationHandler: ChannelDuplexHandler, GatedSessionHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private var session = PolicyDelegationSession()
    private let engine: PolicyEngine
    private let logger: Logger
    package var gate = ReadGate()
    private var closed = false
    package var stopsFeeding: Bool { closed }

    public init(engine: PolicyEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
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

    public func channelInactive(context: ChannelHandlerContext) {
        closed = true
        context.fireChannelInactive()
    }

    package func feed(_ line: [UInt8], context: ChannelHandlerContext) {
        let items: [PolicyDelegationSession.Item]
        do {
            items = try session.receive(line)
        } catch {
            logger.info("policy protocol error", metadata: ["error": "\(error)"])
            closed = true
            context.close(promise: nil)
            return
        }
        // A line ends at most one request.
        for item in items { handle(item, context: context) }
    }

    private func handle(_ item: PolicyDelegationSession.Item, context: ChannelHandlerContext) {
        switch item {
        case .answer(let bytes):
            context.write(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
        case .evaluate(let request):
            let engine = engine
            runEffect(context) {
                await engine.evaluate(request)
            } resume: { handler, context, verdict in
                guard !handler.closed else { return }
                let bytes = handler.session.reply(verdict, to: request)
                context.writeAndFlush(handler.wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
            }
        }
    }
}
