import Core
import NIOCore
import NIOPosix

/// One request/response exchange with a scanner daemon over TCP or a Unix socket: connect, send,
/// read the reply until the daemon closes (or `maxReply` bytes), all within `timeout`.
struct ScannerConnection {
    /// What the caller sends; `write` puts bytes on the wire.
    typealias Sender = @Sendable (_ write: @Sendable ([UInt8]) async throws -> Void) async throws -> Void

    let endpoint: FilterSettings.Endpoint
    /// Close our sending side once the request is out (spamd wants it; clamd and HTTP do not).
    var halfClose = false
    var maxReply = 256 * 1024

    func exchange(timeout: Duration, send: Sender) async throws -> [UInt8] {
        let started = ContinuousClock.now
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await connect(timeout: timeout)
        } catch {
            throw ScannerError.unreachable("\(endpoint.description): \(error)")
        }
        // The deadline closes the channel, which ends the writes and the reads below.
        let remaining = timeout - (ContinuousClock.now - started)
        let deadline = channel.channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(remaining.nanoseconds))) {
            channel.channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        let maxReply = maxReply
        let halfClose = halfClose
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await send { bytes in try await outbound.write(ByteBuffer(bytes: bytes)) }
                if halfClose { outbound.finish() }
                var reply: [UInt8] = []
                for try await buffer in inbound {
                    reply += buffer.readableBytesView
                    guard reply.count <= maxReply else {
                        throw ScannerError.malformedReply("reply longer than \(maxReply) bytes")
                    }
                }
                guard ContinuousClock.now - started < timeout else { throw ScannerError.timedOut }
                return reply
            }
        } catch let error as ScannerError {
            throw error
        } catch {
            if ContinuousClock.now - started >= timeout { throw ScannerError.timedOut }
            throw ScannerError.unreachable("\(endpoint.description): \(error)")
        }
    }

    private func connect(timeout: Duration) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Int64(timeout.nanoseconds)))
            .channelOption(.allowRemoteHalfClosure, value: true)
        let configuration = NIOAsyncChannel<ByteBuffer, ByteBuffer>.Configuration(isOutboundHalfClosureEnabled: true)
        let wrap: @Sendable (Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: configuration)
            }
        }
        switch endpoint {
        case .tcp(let host, let port):
            return try await bootstrap.connect(host: host, port: port, channelInitializer: wrap)
        case .unix(let path):
            return try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: wrap)
        }
    }
}

extension FilterSettings.Endpoint: CustomStringConvertible {
    public var description: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        }
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
