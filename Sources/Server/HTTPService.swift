import Connection
import Core
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import MailAuth
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Prometheus
import ServiceLifecycle
import Web

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The HTTP listeners: `GET /healthz`, `GET /metrics` (Prometheus, to `[metrics] allowed_clients`),
/// the site's MTA-STS policy, and on HTTPS the admin console, the JSON API and client
/// autoconfiguration (`WebFrontEnds`); a plain listener redirects those to HTTPS. Like the other
/// listeners it applies the allow-list, the connection budget (server, class, listener, per
/// client), the idle timeout and stalled-write detection; request pipelining is back-pressured
/// by Hummingbird's async channel (no reads while a response waits).
public enum HTTPService {
    /// Builds the Hummingbird application for one `http` listener.
    public static func make(
        settings: ListenerSettings, tls: TLSConfiguration?, health: HealthMonitor, budget: ConnectionBudget,
        mtaSTSPolicy: MTASTSPolicy? = nil, metrics: MetricsSettings = MetricsSettings(),
        registry: PrometheusCollectorRegistry = PostaMetrics.registry, web: WebFrontEnds? = nil, logger: Logger
    ) throws -> any Service {
        let router = Router(context: WebRequestContext.self)
        // Thunderbird autoconfig and Outlook autodiscover for the site's domains (docs/autoconfig.md),
        // on plain HTTP too: clients look there, and the answer holds nothing secret.
        if let web { WebRoutes.addAutoconfig(to: router, site: web.autoconfig, logger: logger) }
        if metrics.enabled {
            // Prometheus text format 0.0.4, rendered by swift-prometheus; loopback clients only unless
            // `[metrics] allowed_clients` says otherwise (docs/metrics.md).
            router.get("/metrics") { _, context -> Response in
                let client = context.remoteAddress?.ipAddress ?? "unknown"
                guard metrics.allows(client) else {
                    return Response(
                        status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: .init(string: "metrics are not served to this client\n")))
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(byteBuffer: .init(bytes: PostaMetrics.exposition(registry))))
            }
        }
        if let mtaSTSPolicy {
            // RFC 8461 §3.3: the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt, text/plain;
            // the same for every domain of the site (one MX set).
            let text = mtaSTSPolicy.text
            router.get("/.well-known/mta-sts.txt") { _, _ -> Response in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: .init(string: text)))
            }
        }
        router.get("/healthz") { _, _ -> Response in
            // From the monitor's last check: a flood of health checks costs no database round trips.
            let healthy = health.isHealthy
            let body =
                healthy == true
                ? #"{"status":"ok","database":"ok"}"#
                : healthy == false ? #"{"status":"unavailable","database":"unreachable"}"# : #"{"status":"starting"}"#
            return Response(
                status: healthy == true ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: body + "\n")))
        }
        var httpLogger = logger
        httpLogger[metadataKey: "protocol"] = "http"
        let placement = web.map { WebFrontEnds.Placement(listener: settings, httpsPort: $0.httpsPort) } ?? .absent
        if let web, placement == .served {
            WebRoutes.addConsole(to: router, console: web.console, autoconfig: web.autoconfig, logger: httpLogger)
            WebRoutes.addAPI(to: router, console: web.console, logger: httpLogger)
            WebRoutes.addLists(
                to: router, lists: web.console.lists, transport: web.console.listTransport, console: web.console,
                logger: httpLogger)
            if let webmail = web.webmail {
                WebRoutes.addWebmail(
                    to: router, console: web.console, webmail: webmail, sender: web.webmailSender, logger: httpLogger)
            }
        }
        let admission = HTTPAdmission(settings: settings, budget: budget, logger: httpLogger)
        let idle = TimeAmount.seconds(settings.idleTimeout.seconds)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionTimeouts(idle: idle, loginTimeout: nil), HTTPAdmissionHandler(admission)])
        let configuration = ApplicationConfiguration(
            address: .hostname(settings.host, port: settings.port), serverName: "posta")
        if settings.tls == .implicit, let tls {
            return Application(
                router: router, server: try .tls(.http1(configuration: http1), tlsConfiguration: tls),
                configuration: configuration, logger: httpLogger)
        }
        if case .redirected(let httpsPort) = placement {
            let directory = web?.console.directory
            let responder = HTTPSRedirect(
                next: router.buildResponder(), httpsPort: httpsPort, hostname: web?.hostname ?? "localhost",
                isLocalDomain: { name in (try? await directory?.isLocalDomain(name)) ?? false })
            return Application(
                responder: responder, server: .http1(configuration: http1), configuration: configuration, logger: httpLogger)
        }
        return Application(router: router, server: .http1(configuration: http1), configuration: configuration, logger: httpLogger)
    }
}

extension HTTPService {
    /// Fails with `ServerError.bind` when the listener's address cannot be bound now. Hummingbird
    /// binds inside its own service group, and a bind failure there neither ends `posta serve` nor
    /// lets it stop on SIGTERM; checked before start, a taken port is reported like the other
    /// listeners'. The check binds a socket without listening on it (`SO_REUSEADDR`, as Hummingbird
    /// binds), so no client can connect to it: an open port means the server is running.
    public static func checkAddressIsFree(_ settings: ListenerSettings) throws {
        do {
            let address = try SocketAddress.makeAddressResolvingHost(settings.host, port: settings.port)
            let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
            let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
            defer { close(fd) }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let result = address.withSockAddr { pointer, size in bind(fd, pointer, socklen_t(size)) }
            guard result == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
        } catch {
            throw ServerError.bind("\(settings.host):\(settings.port)", error)
        }
    }
}

/// The connection limits of one HTTP listener (`TCPListener` applies the same to the others).
final class HTTPAdmission: Sendable {
    let settings: ListenerSettings
    let budget: ConnectionBudget
    let listener: ConnectionLimiter
    let logger: Logger

    init(settings: ListenerSettings, budget: ConnectionBudget, logger: Logger) {
        self.settings = settings
        self.budget = budget
        self.listener = ConnectionLimiter(maxTotal: settings.maxConnections)
        self.logger = logger
    }

    /// Takes a slot for the client at `ip` in every counter; why not when one is full or the
    /// client is not allowed.
    func admit(_ ip: String) -> RefusalReason? { budget.admit(ip, to: settings, listener: listener) }

    func release(_ ip: String) { budget.release(ip, from: settings, listener: listener) }
}

/// Admits or closes an HTTP connection as it is set up, gives its slot back when it closes, and
/// closes it on a `ConnectionTimeout`.
final class HTTPAdmissionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let admission: HTTPAdmission

    init(_ admission: HTTPAdmission) { self.admission = admission }

    func handlerAdded(context: ChannelHandlerContext) {
        let ip = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if let reason = admission.admit(ip) {
            admission.logger.notice("connection refused", metadata: ["client": "\(ip)", "protocol": "http"])
            ServerMetrics.refused(.http, reason)
            context.close(promise: nil)
            return
        }
        ServerMetrics.connections.increment("http")
        ServerMetrics.connectionsOpen.increment("http")
        context.channel.closeFuture.whenComplete { [admission] _ in
            ServerMetrics.connectionsOpen.decrement("http")
            admission.release(ip)
        }
        // One small read per event-loop tick, as on the other listeners (`ReadGate.commandReadSize`).
        let options = context.channel.syncOptions
        try? options?.setOption(.maxMessagesPerRead, value: 1)
        try? options?.setOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: ReadGate.commandReadSize))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ConnectionTimeout {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// Whether the database answers, as `/healthz` reports it: checked every `interval` in the
/// background while the server runs; nil before the first check.
public final class HealthMonitor: Service, Sendable {
    private let database: Database
    private let interval: Duration
    private let state = NIOLockedValueBox<Bool?>(nil)

    public init(database: Database, interval: Duration = .seconds(5)) {
        self.database = database
        self.interval = interval
    }

    public var isHealthy: Bool? { state.withLockedValue { $0 } }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let healthy = await database.isReachable()
                state.withLockedValue { $0 = healthy }
                try await Task.sleep(for: interval)
            }
        }
    }
}

extension Database {
    /// Whether a trivial query succeeds (for health checks).
    public func isReachable() async -> Bool {
        (try? await withConnection { db in try await db.raw("SELECT 1 AS one").run() }) != nil
    }
}
