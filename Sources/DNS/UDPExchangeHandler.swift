import NIOCore

/// Waits on a UDP socket for the response to one query: datagrams from any other address or
/// port, with another ID or another question are dropped (RFC 5452 §9.1), so that a spoofer
/// must guess the ID and the port and answer before the real server.
final class UDPExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let query: DNSMessage
    private let server: SocketAddress
    private let promise: EventLoopPromise<DNSMessage>

    init(query: DNSMessage, server: SocketAddress, promise: EventLoopPromise<DNSMessage>) {
        self.query = query
        self.server = server
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        guard envelope.remoteAddress.port == server.port,
            envelope.remoteAddress.ipAddress.flatMap(IPAddress.init) == server.ipAddress.flatMap(IPAddress.init)
        else { return }
        let bytes = Array(envelope.data.readableBytesView)
        // Without the query's ID this is not (even a broken) answer to it.
        guard bytes.count >= 2, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == query.header.id else { return }
        do {
            let response = try DNSMessage(decoding: bytes)
            guard response.isResponse(to: query) else { return }
            promise.succeed(response)
        } catch {
            promise.fail(error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSError.unreachable("\(error)"))
    }
}
