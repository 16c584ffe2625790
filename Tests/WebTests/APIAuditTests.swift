import Admin
import Hummingbird
import HummingbirdTesting
import Testing

/// The audit log names the API token behind each change and records what a token was refused, so
/// a leaked token's use and its probing beyond its role both show.
@Suite struct APIAuditTests {
    @Test func changesNameTheTokenAndDenialsAreRecorded() async throws {
        try await APIFixture.with { fixture, client in
            #expect(
                try await client.api(.post, "/domains", token: fixture.superToken, json: ["name": "example.org"]).status
                    == .created)
            let refused = try await client.api(.get, "/administrators", token: fixture.helpdeskToken)
            #expect(refused.status == .forbidden)

            let audit = try await fixture.console.auditLog(as: APIFixture.cli, AuditFilter(limit: 50))
            let added = try #require(audit.items.first { $0.action == "domain.add" })
            #expect(added.actor == "admin:boss")
            #expect(added.channel == .api)
            #expect(added.credential?.hasPrefix("token:") == true)
            #expect(added.credential?.hasSuffix(" tests") == true)
            #expect(added.credential?.contains("posta_") == false)

            let denied = try #require(audit.items.first { $0.action == "access.denied" })
            #expect(denied.actor == "admin:desk")
            #expect(denied.target.contains(Permission.manageAdmins.rawValue))
            #expect(denied.credential?.hasPrefix("token:") == true)

            // The same rows over the API, with the token named.
            let listed = try await client.api(.get, "/audit?action=access.denied", token: fixture.superToken)
            #expect(listed.items.first?["credential"] as? String == denied.credential)
        }
    }
}
