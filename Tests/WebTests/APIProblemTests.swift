import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// RFC 9457: every error of the API is `application/problem+json` with type, title and status.
@Suite struct APIProblemTests {
    @Test func malformedJSONIs400() async throws {
        try await APIFixture.with { fixture, client in
            for body in ["{", "[]", #"{"name": 5}"#, "not json at all"] {
                let response = try await client.api(.post, "/domains", token: fixture.superToken, json: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.isProblem, "\(body)")
            }
            let badLimit = try await client.api(.get, "/accounts?limit=abc", token: fixture.superToken)
            #expect(badLimit.status == .badRequest)
            #expect(badLimit.isProblem)
        }
    }

    @Test func unknownResourceIs404AndUnknownMethodIs405() async throws {
        try await APIFixture.with { fixture, client in
            let nowhere = try await client.api(.get, "/nowhere/at/all", token: fixture.superToken)
            #expect(nowhere.status == .notFound)
            #expect(nowhere.isProblem)
            let account = try await client.api(.get, "/accounts/nobody@example.org", token: fixture.superToken)
            #expect(account.status == .notFound)
            #expect(account.isProblem)
            // RFC 9110 §15.5.6: 405 names the allowed methods.
            let put = try await client.api(.put, "/domains", token: fixture.superToken, json: ["name": "x.example"])
            #expect(put.status == .methodNotAllowed)
            #expect(put.isProblem)
            #expect(put.headers[.allow] == "GET, HEAD, POST")
        }
    }

    @Test func conflictIs409AndValidationIs422() async throws {
        try await APIFixture.with { fixture, client in
            let first = try await client.api(.post, "/domains", token: fixture.superToken, json: ["name": "example.org"])
            #expect(first.status == .created)
            let again = try await client.api(.post, "/domains", token: fixture.superToken, json: ["name": "example.org"])
            #expect(again.status == .conflict)
            #expect(again.isProblem)
            let limit = try await client.api(.get, "/accounts?limit=100000", token: fixture.superToken)
            #expect(limit.status == .unprocessableContent)
            #expect(limit.isProblem)
            let zero = try await client.api(.get, "/accounts?limit=0", token: fixture.superToken)
            #expect(zero.status == .unprocessableContent)
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await APIFixture.with { fixture, client in
            let huge = #"{"name": ""# + String(repeating: "a", count: 200_000) + #""}"#
            let response = try await client.api(.post, "/domains", token: fixture.superToken, json: huge)
            #expect(response.status == .contentTooLarge)
            #expect(response.isProblem)
        }
    }
}
