import Admin
import Core
import Directory
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Policy
import PostaTestSupport
import Queue
import Store
import Testing
import Web

/// A site with an `AdminConsole` over a fresh database, the API mounted on a router, and a
/// bearer token per role: `superToken` (superadmin `boss`), `helpdeskToken` (helpdesk `desk`).
struct APIFixture {
    let console: AdminConsole
    let superToken: String
    let helpdeskToken: String

    static let cli = Principal(.console(unixUser: "root"), channel: .cli, clientIP: nil)

    static func with(
        _ dialect: Database.Dialect = .sqlite,
        _ body: @escaping @Sendable (APIFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        let logger = Logger(label: "api-test")
        try await TestConsole.with(dialect, logger: logger) { console in
            _ = try await console.addAdministrator(
                as: cli, login: "boss", password: "boss-password-1", role: .superadmin, domains: [], displayName: "Boss")
            _ = try await console.addAdministrator(
                as: cli, login: "desk", password: "desk-password-1", role: .helpdesk, domains: [], displayName: "Desk")
            let superToken = try await console.addToken(as: cli, admin: "boss", name: "tests").token
            let helpdeskToken = try await console.addToken(as: cli, admin: "desk", name: "tests").token
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addAPI(to: router, console: console, logger: logger)
            let fixture = APIFixture(console: console, superToken: superToken, helpdeskToken: helpdeskToken)
            try await Application(router: router).test(.router) { client in try await body(fixture, client) }
        }
    }
}

/// A decoded API response: status, header fields, JSON body.
struct APIResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var items: [[String: Any]] { json["items"] as? [[String: Any]] ?? [] }

    /// RFC 9457: problem details with the response's own status.
    var isProblem: Bool {
        headers[.contentType] == "application/problem+json" && json["status"] as? Int == Int(status.code)
            && json["title"] is String && json["type"] is String
    }
}

extension TestClientProtocol {
    /// `method path` with `token` as bearer and `json` (an object, or raw text) as the body.
    func api(
        _ method: HTTPRequest.Method, _ path: String, token: String?, json: Any? = nil, headers extra: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let text = json as? String {
            body = ByteBuffer(string: text)
        } else if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        }
        if body != nil && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: "/api/v1" + path, method: method, headers: headers, body: body) { response in
            APIResponse(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
        }
    }
}
