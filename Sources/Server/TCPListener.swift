import Core
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// One TCP listener: binds its address, applies connection limits, implicit TLS and the idle
/// timeout, hands each connection to its protocol, and drains on graceful shutdown.
public final class TCPListener: Service, Sendable {
    public let settings: ListenerSettings
    private let service: any ProtocolService
    /// Server-wide connection count, shared by every listener.
    private let serverLimiter: ConnectionLimiter
    /// This listener's own count and per-IP counts.
    private let listenerLimiter: ConnectionLimiter
    private let tls: NIOSSLContext?
    private let hostname: String
    private let logger: Logger
    private let group: any EventLoopGroup
    /// How long open connections get to finish after shutdown begins.
    private let drainTimeout: TimeAmount
    private let connections = ConnectionSet()
    private let bound = NIOLockedValueBox<SocketAddress?>(nil)
    private let boundPromise: EventLoopPromise<SocketAddress>

    public init(
        settings: ListenerSettings, service: any ProtocolService, limiter: ConnectionLimiter, tls: NIOSSLContext?,
        hostname: String, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        drainTimeout: TimeAmount = .seconds(10)
    ) {
        self.settings = settings
        self.service = service
        self.serverLimiter = limiter
        self.listenerLimiter = ConnectionLimiter(maxTotal: settings.maxConnections)
        self.tls = tls
        self.hostname = hostname
        self.logger = logger
        self.group = group
        self.drainTimeout = drainTimeout
        self.boundPromise = group.next().makePromise()
    }

    /// The address actually bound (useful with port 0), once `run` has bound it.
    public func boundAddress() async throws -> SocketAddress { try await boundPromise.futureResult.get() }

    public func run() async throws {
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.socketOption(.so_keepalive), value: 1)
                .childChannelInitializer { [self] child in
                    child.eventLoop.makeCompletedFuture { try self.accept(child) }
                }
                .bind(host: settings.host, port: settings.port).get()
        } catch {
            let failure = ServerError.bind("\(settings.host):\(settings.port)", error)
            boundPromise.fail(failure)
            throw failure
        }
        if let address = channel.localAddress { boundPromise.succeed(address) }
        logger.info(
            "listening",
            metadata: [
                "protocol": "\(settings.protocol.rawValue)", "address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
                "tls": "\(settings.tls.rawValue)",
            ])

        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        let open = connections.count
        let forced = await connections.drain(timeout: .nanoseconds(drainTimeout.nanoseconds))
        logger.info(
            "stopped listening",
            metadata: ["protocol": "\(settings.protocol.rawValue)", "drained": "\(open)", "closed_by_force": "\(forced)"])
    }

    /// Runs on the child's event loop for each accepted connection.
    private func accept(_ child: any Channel) throws {
        let ip = child.remoteAddress?.ipAddress ?? "unknown"
        if let reason = admit(ip) {
            logger.notice(
                "connection refused",
                metadata: ["client": "\(ip)", "reason": "\(reason)", "protocol": "\(settings.protocol.rawValue)"])
            refuse(child, reason: reason)
            return
        }
        connections.insert(child)
        child.closeFuture.whenComplete { [serverLimiter, listenerLimiter] _ in
            listenerLimiter.release(ip: ip)
            serverLimiter.release(ip: ip)
        }

        let sessionID = SessionID.next()
        var sessionLogger = logger
        sessionLogger[metadataKey: "session"] = "\(sessionID)"
        sessionLogger[metadataKey: "client"] = "\(ip)"
        sessionLogger[metadataKey: "protocol"] = "\(settings.protocol.rawValue)"

        let sync = child.pipeline.syncOperations
        if settings.tls == .implicit {
            guard let tls else { throw ServerError.tls("listener \(settings.host):\(settings.port) needs a certificate") }
            try sync.addHandler(NIOSSLServerHandler(context: tls))
        }
        try sync.addHandler(IdleStateHandler(readTimeout: .seconds(settings.idleTimeout.seconds)))
        let context = ConnectionContext(
            sessionID: sessionID, listener: settings, hostname: hostname, remoteAddress: child.remoteAddress,
            localAddress: child.localAddress, tls: tls, isTLS: settings.tls == .implicit, logger: sessionLogger)
        try service.initializeConnection(child, context: context)
        try sync.addHandler(ConnectionTail(logger: sessionLogger))
    }

    /// Takes a slot in both counters, or says why not.
    private func admit(_ ip: String) -> RefusalReason? {
        guard serverLimiter.acquire(ip: ip, maxPerIP: .max) else { return .serverFull }
        guard listenerLimiter.acquire(ip: ip, maxPerIP: settings.maxConnectionsPerIP) else {
            serverLimiter.release(ip: ip)
            return listenerLimiter.openConnections >= listenerLimiter.maxTotal ? .serverFull : .tooManyFromClient
        }
        return nil
    }

    private func refuse(_ child: any Channel, reason: RefusalReason) {
        guard settings.tls != .implicit, let text = service.refusal(reason, hostname: hostname) else {
            child.close(promise: nil)
            return
        }
        var buffer = child.allocator.buffer(capacity: text.utf8.count)
        buffer.writeString(text)
        child.writeAndFlush(buffer).whenComplete { _ in child.close(promise: nil) }
    }
}

/// Last handler of every connection: closes on an idle timeout or a shutdown request that no
/// protocol handler consumed, and logs errors that reached the end of the pipeline.
final class ConnectionTail: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            logger.info("idle timeout")
            context.close(promise: nil)
        } else if event is ChannelShouldQuiesceEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}

/// Session ids for log lines: a process-wide counter in base 36.
enum SessionID {
    private static let counter = NIOLockedValueBox<UInt64>(0)

    static func next() -> String {
        String(counter.withLockedValue { $0 += 1; return $0 }, radix: 36)
    }
}
