import Core
import NIOCore
import NIOExtras
import NIOSSL
import Server

/// A minimal protocol for exercising the listener: greets, echoes what it reads, and (when
/// `politeShutdown`) says "bye" before closing on a shutdown request.
struct EchoService: ProtocolService {
    var politeShutdown = true

    func initializeConnection(_ channel: any Channel, context: ConnectionContext) throws {
        try channel.pipeline.syncOperations.addHandler(EchoHandler(polite: politeShutdown, tls: context.isTLS))
    }

    func refusal(_ reason: RefusalReason, hostname: String) -> String? {
        "busy \(reason) \(hostname)\r\n"
    }
}

final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let polite: Bool
    let tls: Bool

    init(polite: Bool, tls: Bool) {
        self.polite = polite
        self.tls = tls
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: tls ? "hello tls\r\n" : "hello\r\n")), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if polite, event is ChannelShouldQuiesceEvent {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "bye\r\n"))).whenComplete { _ in channel.close(promise: nil)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
