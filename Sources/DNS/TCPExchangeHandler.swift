import NIOCore

/// Sends one query over a TCP connection and reads one length-prefixed response
/// (RFC 1035 §4.2.2; RFC 7766 §8).
final class TCPExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let query: DNSMessage
    private let packet: [UInt8]
    private let promise: EventLoopPromise<DNSMessage>
    private var received: [UInt8] = []

    init(query: DNSMessage, packet: [UInt8], promise: EventLoopPromise<DNSMessage>) {
        self.query = query
        self.packet = packet
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: packet.count + 2)
        buffer.writeInteger(UInt16(packet.count))
        buffer.writeBytes(packet)
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(contentsOf: Self.unwrapInboundIn(data).readableBytesView)
        guard received.count >= 2 else { return }
        let length = Int(received[0]) << 8 | Int(received[1])
        guard received.count >= 2 + length else { return }
        do {
            let response = try DNSMessage(decoding: Array(received[2..<(2 + length)]))
            guard response.isResponse(to: query) else {
                throw DNSError.malformed("TCP response does not match the query (ID or question)")
            }
            promise.succeed(response)
        } catch {
            promise.fail(error)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSError.unreachable("connection closed before a whole response"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSError.unreachable("\(error)"))
        context.close(promise: nil)
    }
}
