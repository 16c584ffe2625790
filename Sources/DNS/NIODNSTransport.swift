import NIOCore
import NIOPosix

/// The real transport on SwiftNIO: a fresh UDP socket on an ephemeral port for every query (so
/// the source port is as random as the kernel makes it, RFC 5452 §9.2), or a TCP connection
/// with the 2-octet length prefix (RFC 1035 §4.2.2).
public struct NIODNSTransport: DNSTransport {
    let group: any EventLoopGroup

    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.group = group
    }

    public func exchange(
        _ query: DNSMessage, with server: DNSNameserver, over transport: DNSTransportProtocol, timeout: Duration
    ) async throws -> DNSMessage {
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: server.address.description, port: server.port)
        } catch {
            throw DNSError.invalidAddress(server.description)
        }
        let packet = try query.encoded()
        // RFC 1035 §4.2.2: the TCP length prefix is 16 bits.
        guard transport == .udp || packet.count <= Int(UInt16.max) else {
            throw DNSError.malformed("query over 65535 octets")
        }
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: DNSMessage.self)
        let deadline = eventLoop.scheduleTask(in: TimeAmount(timeout)) { promise.fail(DNSError.timeout) }
        let channel: EventLoopFuture<any Channel>
        switch transport {
        case .udp:
            // NIO reads datagrams into 2048-octet buffers by default; make room for the largest
            // answer the query allows (RFC 6891 §6.2.3), at least the 512 of RFC 1035 §4.2.1.
            let largest = max(512, Int(query.edns?.udpPayloadSize ?? 512))
            channel = DatagramBootstrap(group: eventLoop)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: largest))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            UDPExchangeHandler(query: query, server: address, promise: promise))
                    }
                }
                .bind(host: server.address.isIPv6 ? "::" : "0.0.0.0", port: 0)
                .flatMap { channel in
                    var buffer = channel.allocator.buffer(capacity: packet.count)
                    buffer.writeBytes(packet)
                    return channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer)).map { channel }
                }
        case .tcp:
            channel = ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            TCPExchangeHandler(query: query, packet: packet, promise: promise))
                    }
                }
                .connect(to: address)
        }
        channel.whenFailure { error in promise.fail(DNSError.unreachable("\(server) over \(transport): \(error)")) }
        promise.futureResult.whenComplete { _ in
            deadline.cancel()
            channel.whenSuccess { $0.close(promise: nil) }
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }
}
