import Admin
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import OpenAPIRuntime

/// What an API handler needs from the HTTP request besides its operation's input: the
/// `Authorization` header and the client's address. The generated server hands handlers only the
/// operation's input, so `APIMiddleware` binds these to the task that runs the handler.
struct APICall: Sendable {
    var authorization: String?
    var clientIP: String
    /// The principal once the operation has authenticated its token (for the audit of a denial).
    let principal = NIOLockedValueBox<Principal?>(nil)

    @TaskLocal static var current: APICall?
}

/// The largest request body the API reads (JSON of one operation; a bulk queue action with a
/// thousand ids stays far below it).
enum APILimits {
    static let maxBodyBytes = 64 * 1024
    /// The body of a report import (a report file, `APIService+ReportImport.swift`); larger
    /// DMARC payloads are for `posta dmarc import`.
    static let maxImportBytes = 8 << 20
    static let importPaths: Set<String> = ["/api/v1/reports/dmarc/import", "/api/v1/reports/tls/import"]

    /// The most body octets read for a request to `path`.
    static func maxBodyBytes(path: String) -> Int {
        importPaths.contains(path) ? maxImportBytes : maxBodyBytes
    }
    /// Items per page: `?limit=` must lie in 1...200 (the document says so too); 50 when absent.
    static let pageSizes = 1...200
    static let defaultPageSize = 50
    /// A policy rule's settings (`PolicySettings` in the document): keys, a key's and a value's characters.
    static let policySettings = 50
    static let policySettingKey = 64
    static let policySettingValue = 4096
}

/// Runs around every `/api/v1` route: reads the body up to `APILimits.maxBodyBytes(path:)` (413
/// beyond), binds `APICall.current`, and turns every error into RFC 9457 problem details. An
/// unexpected error becomes a 500 whose cause goes to the log, not to the client.
struct APIMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let console: AdminConsole
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var call: APICall?
        do {
            var request = request
            let limit = APILimits.maxBodyBytes(path: request.uri.path)
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
                throw Self.tooLarge(limit)
            }
            do {
                _ = try await request.collectBody(upTo: limit)
            } catch let error as HTTPError where error.status == .contentTooLarge {
                throw Self.tooLarge(limit)
            }
            let current = APICall(authorization: request.headers[.authorization], clientIP: context.clientIP)
            call = current
            return try await APICall.$current.withValue(current) { try await next(request, context) }
        } catch {
            let underlying = (error as? ServerError)?.underlyingError ?? error
            if let denied = underlying as? AccessDenied, let principal = call?.principal.withLockedValue({ $0 }) {
                await console.recordDenied(principal, denied)
            }
            if let problem = APIProblem(error) { return problem.response }
            // Never the whole `ServerError`: its description holds the operation's input, passwords too.
            let cause = (error as? ServerError).map { String(reflecting: $0.underlyingError) } ?? String(reflecting: error)
            logger.error(
                "API request failed",
                metadata: [
                    "path": "\(request.uri.path)", "method": "\(request.method)", "client": "\(context.clientIP)",
                    "error": "\(cause)",
                ])
            return APIProblem(.internalServerError, detail: "the server could not complete the request").response
        }
    }

    private static func tooLarge(_ limit: Int) -> APIProblem {
        APIProblem(.contentTooLarge, detail: "request bodies are limited to \(limit) bytes")
    }
}
