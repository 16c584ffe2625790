import Core
import Hummingbird
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle

/// The HTTP listener. Today it serves `GET /healthz`; the admin UI, webmail and metrics join it
/// in later issues.
public enum HTTPService {
    /// Builds the Hummingbird application for one `http` listener.
    public static func make(
        settings: ListenerSettings, tls: TLSConfiguration?, database: Database, logger: Logger
    ) throws -> some Service {
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            let healthy = await database.isReachable()
            let body = healthy ? #"{"status":"ok","database":"ok"}"# : #"{"status":"unavailable","database":"unreachable"}"#
            return Response(
                status: healthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: body + "\n")))
        }
        let configuration = ApplicationConfiguration(
            address: .hostname(settings.host, port: settings.port), serverName: "posta")
        var httpLogger = logger
        httpLogger[metadataKey: "protocol"] = "http"
        if settings.tls == .implicit, let tls {
            return Application(
                router: router, server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration,
                logger: httpLogger)
        }
        return Application(router: router, configuration: configuration, logger: httpLogger)
    }
}

extension Database {
    /// Whether a trivial query succeeds (for health checks).
    public func isReachable() async -> Bool {
        (try? await withConnection { db in try await db.raw("SELECT 1 AS one").run() }) != nil
    }
}
