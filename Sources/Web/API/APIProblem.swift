import Admin
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// An error of the JSON API as RFC 9457 problem details: every error response of `/api/v1` is
/// one (`application/problem+json`, RFC 9457 §3), whatever failed: authentication, the
/// permission check, the service layer, the request's syntax, the route.
struct APIProblem: Error, Sendable, Equatable {
    /// RFC 9457 §3.1.1: a URI reference naming the kind of problem; `about:blank` (§4.2.1) when
    /// the status code says all there is.
    var type: String
    var status: HTTPResponse.Status
    /// RFC 9457 §3.1.4: a human-readable explanation of this occurrence.
    var detail: String?
    /// Extra response header fields (`WWW-Authenticate`, `Allow`).
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, type: String = "about:blank", detail: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.type = type
        self.detail = detail
        self.headers = headers
    }

    /// RFC 9457 §3.1.3: with `about:blank` the title is the status code's reason phrase (§4.2.1).
    var title: String {
        switch type {
        case APIProblem.accessDenied: "Access denied"
        case APIProblem.validation: "Invalid request"
        default: status.reasonPhrase
        }
    }

    /// The problem types beyond `about:blank`, relative URIs resolved against the API (RFC 9457 §3.1.1).
    static let accessDenied = "/api/v1/problems/access-denied"
    static let validation = "/api/v1/problems/validation"

    /// RFC 6750 §3: a request without credentials gets a bare challenge; one with a token that is
    /// unknown, revoked or malformed gets `error="invalid_token"` (§3.1).
    static func unauthorized(tokenGiven: Bool) -> APIProblem {
        let challenge =
            tokenGiven
            ? #"Bearer realm="posta", error="invalid_token", error_description="the token is unknown or revoked""#
            : #"Bearer realm="posta""#
        return APIProblem(
            .unauthorized, detail: tokenGiven ? "the bearer token is unknown or revoked" : "a bearer token is required",
            headers: [.wwwAuthenticate: challenge])
    }

    static func invalid(_ why: String) -> APIProblem {
        APIProblem(.unprocessableContent, type: validation, detail: why)
    }
}

extension APIProblem {
    /// The problem an error of a handler stands for; nil for an unexpected error (a 500 whose
    /// cause is logged, not shown).
    init?(_ error: any Error) {
        switch error {
        case let problem as APIProblem:
            self = problem
        case let denied as AccessDenied:
            self.init(.forbidden, type: APIProblem.accessDenied, detail: denied.description)
        case let admin as AdminError:
            switch admin {
            case .notFound: self.init(.notFound, detail: admin.description)
            case .invalid(let why): self = .invalid(why)
            case .conflict(let why): self.init(.conflict, detail: why)
            }
        case let server as ServerError:
            if let inner = APIProblem(server.underlyingError) {
                self = inner
            } else if server.operationInput == nil {
                // The generated code could not turn the request into the operation's input: bad
                // JSON, a missing or mistyped parameter, a wrong content type.
                let status = server.httpStatus == .internalServerError ? .badRequest : server.httpStatus
                self.init(status, detail: server.causeDescription)
            } else if server.httpStatus != .internalServerError {
                self.init(server.httpStatus, detail: server.causeDescription)
            } else {
                return nil
            }
        case let http as HTTPError:
            self.init(http.status, detail: http.body)
        case is DecodingError:
            self.init(.badRequest, detail: "the request body is not the JSON this operation takes")
        default:
            return nil
        }
    }

    /// RFC 9457 §3: the problem as `application/problem+json`.
    var response: Response {
        var body: [String: Any] = ["type": type, "title": title, "status": status.code]
        if let detail { body["detail"] = detail }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: .init(bytes: data)))
    }
}
