import Admin
import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import MailAuth
import Monitor
import PostaTestSupport
import Testing

/// The abuse, DKIM and policy-definition endpoints: a superadmin token does the work, a helpdesk
/// token gets 403 problem details and changes nothing; errors are problem details.
@Suite struct APISiteOperationsTests {
    @Test(arguments: TestDatabases.dialects)
    func dkimKeys(dialect: Database.Dialect) async throws {
        try await APIFixture.with(dialect) { fixture, client in
            let boss = fixture.superToken
            let refused = try await client.api(.post, "/dkim/example.org", token: fixture.helpdeskToken, json: [:])
            #expect(refused.status == .forbidden && refused.isProblem)
            #expect(try await client.api(.get, "/dkim", token: fixture.helpdeskToken).status == .forbidden)

            let created = try await client.api(.post, "/dkim/example.org", token: boss, json: ["algorithm": "ed25519"])
            #expect(created.status == .created)
            #expect(created.json["state"] as? String == "active" && created.json["algorithm"] as? String == "ed25519-sha256")
            let selector = try #require(created.json["selector"] as? String)
            #expect(created.json["dns_name"] as? String == "\(selector)._domainkey.example.org")
            #expect((created.json["dns_record"] as? String)?.hasPrefix("v=DKIM1; k=ed25519; p=") == true)
            #expect(!String(decoding: created.body, as: UTF8.self).contains("PRIVATE"))

            let again = try await client.api(.post, "/dkim/example.org", token: boss, json: ["algorithm": "ed25519"])
            #expect(again.status == .conflict && again.isProblem)
            let listed = try await client.api(.get, "/dkim/example.org", token: boss)
            #expect(listed.status == .ok && listed.items.map { $0["selector"] as? String } == [selector])

            let rotated = try await client.api(.post, "/dkim/example.org/rotate", token: boss, json: ["keep_days": 1])
            #expect(rotated.status == .ok)
            let pair = try #require(rotated.items.first)
            #expect((pair["retiring"] as? [String: Any])?["state"] as? String == "retiring")
            let early = try await client.api(.post, "/dkim/example.org/\(selector)/retire", token: boss, json: [:])
            #expect(early.status == .conflict && early.isProblem)
            let retired = try await client.api(
                .post, "/dkim/example.org/\(selector)/retire", token: boss, json: ["force": true])
            #expect(retired.status == .ok && retired.json["state"] as? String == "retired" && retired.json["dns_record"] == nil)
            let missing = try await client.api(.post, "/dkim/example.org/nope/retire", token: boss, json: [:])
            #expect(missing.status == .notFound && missing.isProblem)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func policiesMembersAndGroups(dialect: Database.Dialect) async throws {
        try await APIFixture.with(dialect) { fixture, client in
            let boss = fixture.superToken
            let desk = try await client.api(.post, "/policies", token: fixture.helpdeskToken, json: ["name": "x"])
            #expect(desk.status == .forbidden && desk.isProblem)
            let created = try await client.api(
                .post, "/policies", token: boss, json: ["name": "blockers", "priority": 5, "description": "spam"])
            #expect(created.status == .created && created.json["name"] as? String == "blockers")
            #expect(created.json["priority"] as? Int64 == 5 && created.json["enabled"] as? Bool == true)
            #expect(
                try await client.api(.post, "/policies", token: boss, json: ["name": "blockers"]).status == .unprocessableContent)

            let group = try await client.api(.post, "/policy-groups", token: boss, json: ["name": "partners"])
            #expect(group.status == .created && group.json["entries"] as? [String] == [])
            let entry = try await client.api(
                .post, "/policy-groups/partners/entries", token: boss, json: ["pattern": "@partner.example"])
            #expect(entry.status == .ok && entry.json["entries"] as? [String] == ["@partner.example"])
            let member = try await client.api(
                .post, "/policies/blockers/members", token: boss, json: ["attribute": "sender", "pattern": "%partners"])
            #expect(member.status == .created && member.json["pattern"] as? String == "%partners")
            let id = try #require(member.json["id"] as? Int64)
            let nowhere = try await client.api(
                .post, "/policies/nowhere/members", token: boss, json: ["attribute": "sender", "pattern": "@x.example"])
            #expect(nowhere.status == .notFound && nowhere.isProblem)
            #expect(try await client.api(.get, "/policy-groups", token: boss).items.count == 1)
            // A group a member uses stays.
            #expect(try await client.api(.delete, "/policy-groups/partners", token: boss).status == .unprocessableContent)

            #expect(try await client.api(.delete, "/policies/members/\(id)", token: boss).status == .noContent)
            #expect(try await client.api(.delete, "/policies/members/\(id)", token: boss).status == .notFound)
            let removed = try await client.api(
                .delete, "/policy-groups/partners/entries?pattern=%40partner.example", token: boss)
            #expect(removed.status == .noContent)
            #expect(try await client.api(.delete, "/policy-groups/partners", token: boss).status == .noContent)
            #expect(try await client.api(.delete, "/policies/blockers", token: fixture.helpdeskToken).status == .forbidden)
            #expect(try await client.api(.delete, "/policies/blockers", token: boss).status == .noContent)
            #expect(try await client.api(.delete, "/policies/blockers", token: boss).status == .notFound)
            #expect(try await fixture.console.policies(as: APIFixture.cli).policies.isEmpty)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func abuseSuspensions(dialect: Database.Dialect) async throws {
        try await APIFixture.with(dialect) { fixture, client in
            let console = fixture.console
            _ = try await console.addDomain(as: APIFixture.cli, name: "example.org")
            _ = try await console.createAccount(
                as: APIFixture.cli, address: "ann@example.org", password: "user-secret-1", displayName: "", quotaBytes: 0)
            let account = try #require(try await console.directory.account("ann@example.org"))
            _ = try await #require(console.abuse).store.suspend(
                AbuseSuspension(
                    accountID: account.id, account: account.address, suspendedAt: 5, node: "n1", score: 9, locked: false),
                password: nil)
            let boss = fixture.superToken
            #expect(try await client.api(.get, "/abuse", token: fixture.helpdeskToken).status == .forbidden)
            let listed = try await client.api(.get, "/abuse", token: boss)
            #expect(listed.status == .ok && listed.items.first?["account"] as? String == "ann@example.org")
            #expect(listed.items.first?["held_messages"] as? Int == 0)
            let shown = try await client.api(.get, "/abuse/ann@example.org", token: boss)
            #expect(shown.status == .ok && shown.json["suspended"] as? Bool == true)
            #expect((shown.json["suspension"] as? [String: Any])?["score"] as? Int == 9)
            let unknown = try await client.api(.get, "/abuse/nobody@example.org", token: boss)
            #expect(unknown.status == .notFound && unknown.isProblem)

            let refused = try await client.api(
                .post, "/abuse/ann@example.org/release", token: fixture.helpdeskToken, json: [:])
            #expect(refused.status == .forbidden && refused.isProblem)
            let released = try await client.api(.post, "/abuse/ann@example.org/release", token: boss, json: [:])
            #expect(released.status == .ok && released.json["released"] as? Bool == true)
            let twice = try await client.api(
                .post, "/abuse/ann@example.org/release", token: boss, json: ["delete_held": true])
            #expect(twice.status == .ok && twice.json["released"] as? Bool == false)

            let ignored = try await client.api(
                .post, "/abuse/ignores", token: boss, json: ["target": "192.0.2.0/24", "rule": "rate"])
            #expect(ignored.status == .ok && ignored.json["kind"] as? String == "network")
            #expect(ignored.json["rule"] as? String == "rate" && ignored.json["removed"] as? Bool == false)
            let bad = try await client.api(.post, "/abuse/ignores", token: boss, json: ["target": "nonsense"])
            #expect(bad.status == .unprocessableContent && bad.isProblem)
            let audit = try await console.auditLog(as: APIFixture.cli, AuditFilter(actor: "admin:boss")).items
            #expect(audit.map(\.action) == ["abuse.ignore", "abuse.release"])
            // Without a body: 400 problem details, nothing released.
            let bare = try await client.api(.post, "/abuse/ann@example.org/release", token: boss)
            #expect(bare.status == .badRequest && bare.isProblem)
        }
    }
}
