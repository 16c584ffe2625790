import Hummingbird
import HummingbirdTesting
import Testing

/// RFC 6750: bearer tokens, and the challenge of §3 when there is none or a bad one.
@Suite struct APIAuthenticationTests {
    @Test func missingTokenIsChallenged() async throws {
        try await APIFixture.with { _, client in
            let response = try await client.api(.get, "/me", token: nil)
            #expect(response.status == .unauthorized)
            #expect(response.isProblem)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="posta""#)
        }
    }

    @Test func unknownOrMalformedTokenIsInvalid() async throws {
        try await APIFixture.with { fixture, client in
            for token in ["not-a-token", String(fixture.superToken.dropLast()) + "x", "a b c", "ü"] {
                let response = try await client.api(.get, "/me", token: token)
                #expect(response.status == .unauthorized, "\(token)")
                #expect(response.isProblem)
                #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
            }
            // Another scheme is no bearer token.
            let basic = try await client.api(.get, "/me", token: nil, headers: [.authorization: "Basic Ym9zczpib3Nz"])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test func tokenNamesItsAdministrator() async throws {
        try await APIFixture.with { fixture, client in
            let boss = try await client.api(.get, "/me", token: fixture.superToken)
            #expect(boss.status == .ok)
            #expect(boss.json["login"] as? String == "boss")
            #expect(boss.json["role"] as? String == "superadmin")
            let desk = try await client.api(.get, "/me", token: fixture.helpdeskToken)
            #expect(desk.json["login"] as? String == "desk")
            #expect(desk.json["role"] as? String == "helpdesk")
            // The scheme is case-insensitive (RFC 9110 §11.1).
            let lower = try await client.api(
                .get, "/me", token: nil, headers: [.authorization: "bearer \(fixture.superToken)"])
            #expect(lower.status == .ok)
        }
    }

    @Test func revokedTokenStopsWorking() async throws {
        try await APIFixture.with { fixture, client in
            let created = try await client.api(
                .post, "/tokens", token: fixture.superToken, json: ["admin": "desk", "name": "script"])
            #expect(created.status == .created)
            let token = try #require(created.json["token"] as? String)
            let id = try #require((created.json["record"] as? [String: Any])?["id"] as? Int)
            #expect(try await client.api(.get, "/me", token: token).status == .ok)
            #expect(try await client.api(.delete, "/tokens/\(id)", token: fixture.superToken).status == .noContent)
            #expect(try await client.api(.get, "/me", token: token).status == .unauthorized)
        }
    }

    @Test func documentNeedsNoToken() async throws {
        try await APIFixture.with { _, client in
            let response = try await client.api(.get, "/openapi.json", token: nil)
            #expect(response.status == .ok)
            #expect(response.json["openapi"] as? String == "3.1.0")
        }
    }
}
