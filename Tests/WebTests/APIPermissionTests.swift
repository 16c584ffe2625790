import Hummingbird
import HummingbirdTesting
import Testing

/// The API checks the same permissions as the console: a helpdesk token works on accounts and
/// gets 403 on everything that is a superadmin's.
@Suite struct APIPermissionTests {
    @Test func helpdeskCannotCallSuperadminEndpoints() async throws {
        try await APIFixture.with { fixture, client in
            let token = fixture.helpdeskToken
            let refused: [(HTTPRequest.Method, String, Any?)] = [
                (.get, "/administrators", nil),
                (.post, "/administrators", ["login": "mallory", "password": "pw-123456789", "role": "superadmin"]),
                (.delete, "/administrators/boss", nil),
                (.put, "/administrators/desk/role", ["role": "superadmin"]),
                (.get, "/tokens", nil),
                (.post, "/tokens", ["admin": "boss", "name": "stolen"]),
                (.post, "/domains", ["name": "evil.example"]),
                (.delete, "/domains/example.org", nil),
                (.get, "/queue", nil),
            ]
            for (method, path, body) in refused {
                let response = try await client.api(method, path, token: token, json: body)
                #expect(response.status == .forbidden, "\(method) \(path)")
                #expect(response.isProblem, "\(method) \(path)")
            }
            // Nothing happened: the helpdesk did not become superadmin, no domain was added.
            let me = try await client.api(.get, "/me", token: token)
            #expect(me.json["role"] as? String == "helpdesk")
            let domains = try await client.api(.get, "/domains", token: fixture.superToken)
            #expect(!domains.items.contains { $0["name"] as? String == "evil.example" })
        }
    }

    @Test func helpdeskWorksOnAccounts() async throws {
        try await APIFixture.with { fixture, client in
            #expect(
                try await client.api(.post, "/domains", token: fixture.superToken, json: ["name": "example.org"]).status
                    == .created)
            let created = try await client.api(
                .post, "/accounts", token: fixture.helpdeskToken,
                json: [
                    "address": "ann@example.org", "password": "ann-password-1", "display_name": "Ann", "quota_bytes": 1 << 30,
                ])
            #expect(created.status == .created)
            #expect(created.json["address"] as? String == "ann@example.org")
            let reset = try await client.api(
                .put, "/accounts/ann@example.org/password", token: fixture.helpdeskToken,
                json: ["password": "ann-password-2"])
            #expect(reset.status == .noContent)
            let disabled = try await client.api(
                .patch, "/accounts/ann@example.org", token: fixture.helpdeskToken, json: ["enabled": false])
            #expect(disabled.status == .ok)
            #expect((disabled.json["account"] as? [String: Any])?["enabled"] as? Bool == false)
            // Deleting accounts is not the helpdesk's.
            let delete = try await client.api(.delete, "/accounts/ann@example.org", token: fixture.helpdeskToken)
            #expect(delete.status == .forbidden)
        }
    }
}
