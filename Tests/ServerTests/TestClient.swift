import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A test client that records everything the server sends until the connection closes.
final class TestClient: Sendable {
    let channel: any Channel
    private let received: NIOLockedValueBox<String>
    private let closed: EventLoopFuture<Void>

    private init(channel: any Channel, received: NIOLockedValueBox<String>) {
        self.channel = channel
        self.received = received
        self.closed = channel.closeFuture
    }

    static func connect(port: Int, tls: NIOSSLContext? = nil, serverName: String? = nil) async throws -> TestClient {
        let received = NIOLockedValueBox("")
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(Recorder(received: received))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return TestClient(channel: channel, received: received)
    }

    var text: String { received.withLockedValue { $0 } }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Waits until the received text contains `needle` (or fails after `seconds`).
    func waitFor(_ needle: String, seconds: Double = 5) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !text.contains(needle) {
            guard ContinuousClock.now < deadline else { throw TimeoutError(waitingFor: needle, got: text) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Waits until the server closes the connection.
    func waitForClose(seconds: Double = 5) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while channel.isActive {
            guard ContinuousClock.now < deadline else { throw TimeoutError(waitingFor: "close", got: text) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func close() async { try? await channel.close() }

    struct TimeoutError: Error, CustomStringConvertible {
        let waitingFor: String
        let got: String
        var description: String { "timed out waiting for \(waitingFor.debugDescription); received \(got.debugDescription)" }
    }

    private final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<String>
        init(received: NIOLockedValueBox<String>) { self.received = received }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0 += String(buffer: buffer) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
