import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// The document served at /api/v1/openapi.json is the one the server was generated from, and
/// every operation it lists is routed.
@Suite struct APIDocumentTests {
    @Test func servedDocumentIsTheSource() async throws {
        try await APIFixture.with { _, client in
            let served = try await client.api(.get, "/openapi.json", token: nil)
            #expect(served.status == .ok)
            #expect(served.headers[.contentType]?.hasPrefix("application/json") == true)
            let source = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? NSDictionary
            let servedObject = try JSONSerialization.jsonObject(with: served.body) as? NSDictionary
            #expect(source != nil)
            #expect(servedObject == source)
        }
    }

    @Test func everyDocumentedOperationIsRouted() async throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        #expect(paths.count >= 20)
        let operations = paths.map { (template, item) in (template, Array(item.keys)) }
        try await APIFixture.with { fixture, client in
            for (template, methods) in operations {
                // Path parameters get a value of their type; the operation may then say 404, not the router.
                let path = template.replacingOccurrences(
                    of: #"\{[a-z_]+\}"#, with: template.hasSuffix("{id}") ? "999" : "x",
                    options: .regularExpression)
                for method in methods where ["get", "post", "put", "patch", "delete"].contains(method) {
                    let response = try await client.api(
                        HTTPRequest.Method(method.uppercased())!, path, token: fixture.superToken,
                        json: ["get", "delete"].contains(method) ? nil : "{}")
                    #expect(response.status != .methodNotAllowed, "\(method) \(template)")
                    #expect(response.json["detail"] as? String != "no such API resource", "\(method) \(template)")
                    #expect(response.status.code < 500, "\(method) \(template)")
                }
            }
        }
    }
}
