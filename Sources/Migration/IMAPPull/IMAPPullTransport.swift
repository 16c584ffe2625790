import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// How the pull protects its connection (RFC 8314 §3: implicit TLS on 993; RFC 9051 §6.2.1: STARTTLS).
public enum IMAPPullTLS: String, Sendable, Codable, CaseIterable {
    case implicit, starttls, none
}

/// A TCP connection (SwiftNIO, NIOSSL for TLS) whose bytes are read in order by one task: ``receive()``
/// returns the next chunk, nil at the end. Back-pressure: above ``IMAPPullInbox/highWater`` bytes not yet
/// taken, the channel stops reading (`autoRead` off) until the reader has taken them all, so a server faster
/// than the store waits in TCP's window instead of filling memory. Certificates are verified against the system's roots and the host name unless `insecure`.
final class IMAPPullTransport: Sendable {
    private let channel: any Channel
    private let inbox: IMAPPullInbox
    private let tls: NIOSSLContext
    private let serverHostname: String?

    private init(channel: any Channel, inbox: IMAPPullInbox, tls: NIOSSLContext, serverHostname: String?) {
        self.channel = channel
        self.inbox = inbox
        self.tls = tls
        self.serverHostname = serverHostname
    }

    static func connect(host: String, port: Int, implicitTLS: Bool, insecure: Bool, timeout: Double) async throws
        -> IMAPPullTransport
    {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if insecure { configuration.certificateVerification = .none }
        let tls = try NIOSSLContext(configuration: configuration)
        let sniName = isIPAddress(host) ? nil : host
        let inbox = IMAPPullInbox()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Int64(timeout * 1e9)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: sniName))
                    }
                    try channel.pipeline.syncOperations.addHandler(IMAPPullInboxHandler(inbox: inbox))
                }
            }
        let channel = try await bootstrap.connect(host: host, port: port).get()
        return IMAPPullTransport(channel: channel, inbox: inbox, tls: tls, serverHostname: sniName)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// The next bytes from the server, or nil when it closed the connection.
    func receive() async throws -> [UInt8]? {
        let channel = self.channel
        return try await inbox.next(whenDrained: { channel.setOption(ChannelOptions.autoRead, value: true) })
    }

    /// Puts TLS under the connection after the server's go-ahead to STARTTLS. Bytes that came before are
    /// dropped (RFC 9051 §6.2.1, RFC 3207 §4.2: they were not protected); NIOSSL holds writes until the handshake.
    func startTLS() async throws {
        inbox.discardPending()
        let (tls, name) = (self.tls, serverHostname)
        try await channel.eventLoop.submit {
            try self.channel.pipeline.syncOperations.addHandler(
                try NIOSSLClientHandler(context: tls, serverHostname: name), position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close().get()
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// The bytes received and not yet read, and the one reader waiting for them.
final class IMAPPullInbox: Sendable {
    /// Pending bytes above which the channel stops reading.
    static let highWater = 4 << 20

    private struct State {
        var chunks: [[UInt8]] = []
        var pending = 0
        var paused = false
        var end: (any Error)?
        var closed = false
        var waiter: CheckedContinuation<[UInt8]?, any Error>?
    }
    private let state = NIOLockedValueBox(State())

    /// Hands `bytes` to the waiting reader or keeps them; true when the channel should stop reading.
    func push(_ bytes: [UInt8]) -> Bool {
        let (waiter, pause) = state.withLockedValue { state -> (CheckedContinuation<[UInt8]?, any Error>?, Bool) in
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.chunks.append(bytes)
            state.pending += bytes.count
            if state.pending > Self.highWater, !state.paused {
                state.paused = true
                return (nil, true)
            }
            return (nil, false)
        }
        waiter?.resume(returning: bytes)
        return pause
    }

    func finish(_ error: (any Error)?) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<[UInt8]?, any Error>? in
            guard !state.closed else { return nil }
            state.closed = true
            state.end = error
            defer { state.waiter = nil }
            return state.waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    func discardPending() {
        state.withLockedValue { state in
            state.chunks.removeAll()
            state.pending = 0
        }
    }

    /// The next chunk; `whenDrained` resumes a paused channel once every kept chunk has been taken.
    func next(whenDrained: @Sendable () -> Void) async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            let (ready, resume) = state.withLockedValue { state -> (Result<[UInt8]?, any Error>?, Bool) in
                if !state.chunks.isEmpty {
                    let chunk = state.chunks.removeFirst()
                    state.pending -= chunk.count
                    let resume = state.paused && state.chunks.isEmpty
                    if resume { state.paused = false }
                    return (.success(chunk), resume)
                }
                if state.closed { return (state.end.map { .failure($0) } ?? .success(nil), false) }
                state.waiter = continuation
                return (nil, false)
            }
            if resume { whenDrained() }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

/// Hands every chunk the channel reads to the inbox.
final class IMAPPullInboxHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let inbox: IMAPPullInbox

    init(inbox: IMAPPullInbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if inbox.push(buffer.readBytes(length: buffer.readableBytes) ?? []) {
            try? context.channel.syncOptions?.setOption(.autoRead, value: false)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.finish(nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.finish(error)
        context.close(promise: nil)
    }
}
