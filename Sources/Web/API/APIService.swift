import Admin
import Foundation
import Logging
import OpenAPIRuntime

/// The generated `APIProtocol` over `AdminConsole`: each operation authenticates the bearer
/// token, calls the one console operation it stands for (which checks the permission and writes
/// the audit log), and translates the result. No business logic here.
struct APIService: APIProtocol {
    let console: AdminConsole
    let logger: Logger

    /// The administrator behind `Authorization: Bearer <token>` (RFC 6750 §2.1), as an API
    /// principal; 401 with a `WWW-Authenticate` challenge (RFC 6750 §3) without a valid token.
    func principal() async throws -> Principal {
        guard let call = APICall.current else { throw APIProblem.unauthorized(tokenGiven: false) }
        guard let header = call.authorization else { throw APIProblem.unauthorized(tokenGiven: false) }
        guard let token = BearerToken.parse(header) else { throw APIProblem.unauthorized(tokenGiven: true) }
        guard let principal = try await console.principal(apiToken: token, clientIP: call.clientIP),
            case .administrator = principal.identity
        else { throw APIProblem.unauthorized(tokenGiven: true) }
        call.principal.withLockedValue { $0 = principal }
        return principal
    }

    /// `?limit=`: within `APILimits.pageSizes` (422 outside), the default when absent.
    static func pageSize(_ limit: Int?) throws -> Int {
        guard let limit else { return APILimits.defaultPageSize }
        guard APILimits.pageSizes.contains(limit) else {
            throw APIProblem.invalid(
                "limit must lie between \(APILimits.pageSizes.lowerBound) and \(APILimits.pageSizes.upperBound)")
        }
        return limit
    }

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws
        -> Operations.GetOpenAPIDocument.Output
    {
        .ok(.init(body: .json(try OpenAPIDocument.object)))
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let principal = try await principal()
        guard case .administrator(let admin) = principal.identity else { throw APIProblem.unauthorized(tokenGiven: true) }
        return .ok(.init(body: .json(.init(admin))))
    }
}

/// RFC 6750 §2.1: `Authorization: Bearer b64token`, the scheme case-insensitive (RFC 9110 §11.1).
enum BearerToken {
    static let maxLength = 512

    static func parse(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        guard !token.isEmpty, token.utf8.count <= maxLength,
            token.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || "-._~+/=".utf8.contains(byte)
            })
        else { return nil }
        return token
    }
}

/// The document the API implements (`Sources/Web/openapi.json`, embedded by SwiftPM): the same
/// bytes the generator read, served at `GET /api/v1/openapi.json`.
enum OpenAPIDocument {
    static let bytes: [UInt8] = PackageResources.openapi_json

    static var object: OpenAPIObjectContainer {
        get throws { try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(bytes)) }
    }
}
