import Connection
import Core
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// One TCP listener: binds its address, applies the client allow-list, connection limits (server,
/// listener class, listener, per client), implicit TLS, the idle and login timeouts, hands each
/// connection to its protocol, and drains on graceful shutdown.
public final class TCPListener: Service, Sendable {
    public let settings: ListenerSettings
    private let service: any ProtocolService
    /// Server-wide counts, shared by every listener: the total and this listener's class.
    private let budget: ConnectionBudget
    /// This listener's own count and per-client counts.
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
        settings: ListenerSettings, service: any ProtocolService, budget: ConnectionBudget, tls: NIOSSLContext?,
        hostname: String, logger: Logger, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        drainTimeout: TimeAmount = .seconds(10)
    ) {
        self.settings = settings
        self.service = service
        self.budget = budget
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
                // Accept more per event-loop tick than NIO's 4, so a new client is not stuck behind a
                // reconnecting flood while the loop also serves the connections it has.
                .serverChannelOption(.maxMessagesPerRead, value: 32)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.socketOption(.so_keepalive), value: 1)
                // One small read per event-loop tick (see `ReadGate.commandReadSize`).
                .childChannelOption(.maxMessagesPerRead, value: 1)
                .childChannelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: ReadGate.commandReadSize))
                .childChannelInitializer { [self] child in
                    child.eventLoop.makeCompletedFuture { try self.accept(child) }
                }
                .bind(host: settings.host, port: settings.port).get()
        } catch {
            let failure = ServerError.bind("\(settings.host):\(settings.port)", error)
            logger.error("\(failure)", metadata: ["protocol": "\(settings.protocol.rawValue)"])
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

        // A graceful shutdown drains; a cancelled task (another service failed, e.g. a listener
        // that could not bind) stops listening at once, as a future's wait ignores cancellation.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                try? await channel.closeFuture.get()
            } onGracefulShutdown: {
                channel.close(promise: nil)
            }
        } onCancel: {
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
        if let reason = budget.admit(ip, to: settings, listener: listenerLimiter) {
            logger.notice(
                "connection refused",
                metadata: ["client": "\(ip)", "reason": "\(reason)", "protocol": "\(settings.protocol.rawValue)"])
            ServerMetrics.refused(settings.protocol, reason)
            refuse(child, reason: reason)
            return
        }
        connections.insert(child)
        ServerMetrics.connections.increment(settings.protocol.rawValue)
        ServerMetrics.connectionsOpen.increment(settings.protocol.rawValue)
        child.closeFuture.whenComplete { [budget, listenerLimiter, settings] _ in
            ServerMetrics.connectionsOpen.decrement(settings.protocol.rawValue)
            budget.release(ip, from: settings, listener: listenerLimiter)
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
        try sync.addHandler(
            ConnectionTimeouts(
                idle: .seconds(settings.idleTimeout.seconds),
                loginTimeout: settings.protocol.expectsLogin ? .seconds(settings.loginTimeout.seconds) : nil))
        let context = ConnectionContext(
            sessionID: sessionID, listener: settings, hostname: hostname, remoteAddress: child.remoteAddress,
            localAddress: child.localAddress, tls: tls, isTLS: settings.tls == .implicit, logger: sessionLogger)
        try service.initializeConnection(child, context: context)
        try sync.addHandler(ConnectionTail(logger: sessionLogger))
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

/// Last handler of every connection: closes on a timeout or a shutdown request that no protocol
/// handler consumed, and logs errors that reached the end of the pipeline.
final class ConnectionTail: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let timeout = event as? ConnectionTimeout {
            logger.info(timeout == .idle ? "idle timeout" : "login timeout")
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
        String(
            counter.withLockedValue {
                $0 += 1
                return $0
            }, radix: 36)
    }
}
