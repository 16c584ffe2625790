import Admin
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime

extension WebRoutes {
    /// The JSON API under `/api/v1`: the operations of `Sources/Web/openapi.json` (generated
    /// server, `APIService` implements them) and the document itself at `/api/v1/openapi.json`.
    /// Every response of the group, errors of unknown paths and methods included, is JSON.
    public static func addAPI(to router: Router<WebRequestContext>, console: AdminConsole, logger: Logger) {
        var apiLogger = logger
        apiLogger[metadataKey: "front"] = "api"
        let group = router.group("api/v1").add(middleware: APIMiddleware(console: console, logger: apiLogger))
        let transport = RecordingTransport(group)
        do {
            try APIService(console: console, logger: apiLogger).registerHandlers(on: transport)
        } catch {
            // Only a malformed path in the generated code gets here: a programming error.
            preconditionFailure("the API's routes could not be registered: \(error)")
        }
        transport.addMethodNotAllowed()
        // Whatever else is asked under /api/v1: 404 as problem details, not Hummingbird's plain error.
        for method in RecordingTransport.methods {
            group.on("**", method: method) { _, _ -> Response in
                throw APIProblem(.notFound, detail: "no such API resource")
            }
        }
    }
}

/// Registers the generated handlers on the API's router group and remembers each path's
/// methods, so that the other methods of a known path answer 405 with `Allow` (RFC 9110
/// §15.5.6) and HEAD answers where GET does (RFC 9110 §9.3.2).
final class RecordingTransport: ServerTransport {
    typealias Handler =
        @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (
            HTTPResponse, HTTPBody?
        )
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
    private let group: RouterGroup<WebRequestContext>
    private var handlers: [String: [HTTPRequest.Method: Handler]] = [:]

    init(_ group: RouterGroup<WebRequestContext>) { self.group = group }

    func register(_ handler: @escaping Handler, method: HTTPRequest.Method, path: String) throws {
        handlers[path, default: [:]][method] = handler
        group.register(handler, method: method, path: path)
    }

    func addMethodNotAllowed() {
        for (path, served) in handlers {
            var allowed = Set(served.keys)
            if let get = served[.get], served[.head] == nil {
                // RFC 9110 §9.3.2: the GET response's header fields, without content.
                group.register(
                    { request, body, metadata in (try await get(request, body, metadata).0, nil) }, method: .head,
                    path: path)
                allowed.insert(.head)
            }
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            for method in Self.methods where !allowed.contains(method) {
                group.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw APIProblem(
                        .methodNotAllowed, detail: "\(request.method.rawValue) is not allowed here",
                        headers: [.allow: allow])
                }
            }
        }
    }
}
