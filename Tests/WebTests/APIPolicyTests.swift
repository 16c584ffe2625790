import Admin
import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import Policy
import PostaTestSupport
import SQLKit
import Testing

/// The policy operations: a superadmin lists policies with their quota counters and changes a
/// quota rule; a helpdesk or domain-admin token gets 403 and changes nothing; settings a module
/// refuses are 422 problem details.
@Suite struct APIPolicyTests {
    static let quota = ["track": "sasl", "period": "3600", "messages": "100"]

    /// A policy `submitters` for every SASL login, with a quota rule added through the console; its id.
    static func submitters(_ console: AdminConsole) async throws -> Int64 {
        let store = PolicyStore(database: console.database)
        try await store.addPolicy("submitters", priority: 10, description: "Authenticated senders")
        try await store.addMember(policy: "submitters", attribute: .sasl, pattern: "*")
        return try await console.addPolicyRule(as: APIFixture.cli, policy: "submitters", module: .quota, settings: quota)
    }

    /// The stored rule `id`, read through the console, not the API.
    static func storedRule(_ console: AdminConsole, _ id: Int64) async throws -> PolicyRule? {
        try await console.policies(as: APIFixture.cli).policies.flatMap(\.rules).first { $0.id == id }
    }

    @Test(arguments: TestDatabases.dialects)
    func superadminListsAndChangesQuotaRule(dialect: Database.Dialect) async throws {
        try await APIFixture.with(dialect) { fixture, client in
            let boss = fixture.superToken
            try await PolicyStore(database: fixture.console.database).addPolicy("submitters", priority: 10)
            try await PolicyStore(database: fixture.console.database).addMember(
                policy: "submitters", attribute: .sasl, pattern: "*")
            let created = try await client.api(
                .post, "/policies/submitters/rules", token: boss, json: ["module": "quota", "settings": Self.quota])
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? Int64)
            #expect(created.json["policy"] as? String == "submitters" && created.json["module"] as? String == "quota")
            #expect(created.json["enabled"] as? Bool == true)
            #expect(created.json["settings"] as? [String: String] == Self.quota)

            // A live counter of the rule's current window, as the quota module keeps it.
            try await fixture.console.database.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO policy_quota_counter (rule_id, track_key, window_start, messages, bytes)
                    VALUES (\(bind: id), 'ann@example.org', 1800000000, 7, 4096)
                    """
                ).run()
            }
            let listed = try await client.api(.get, "/policies", token: boss)
            #expect(listed.status == .ok)
            let policy = try #require(listed.items.first)
            #expect(policy["name"] as? String == "submitters" && policy["enabled"] as? Bool == true)
            let member = try #require((policy["members"] as? [[String: Any]])?.first)
            #expect(member["attribute"] as? String == "sasl" && member["pattern"] as? String == "*")
            let rule = try #require((policy["rules"] as? [[String: Any]])?.first)
            #expect(rule["id"] as? Int64 == id)
            let counter = try #require((rule["counters"] as? [[String: Any]])?.first)
            #expect(counter["key"] as? String == "ann@example.org" && counter["messages"] as? Int64 == 7)
            #expect(counter["bytes"] as? Int64 == 4096 && counter["window_start"] as? Int64 == 1_800_000_000)

            // Settings are merged; enabling is separate; the store has what the answers say.
            let changed = try await client.api(
                .patch, "/policies/rules/\(id)", token: boss, json: ["settings": ["messages": "5"]])
            #expect(changed.status == .ok)
            #expect((changed.json["settings"] as? [String: String])?["messages"] == "5")
            #expect((changed.json["settings"] as? [String: String])?["track"] == "sasl")
            let disabled = try await client.api(.patch, "/policies/rules/\(id)", token: boss, json: ["enabled": false])
            #expect(disabled.status == .ok && disabled.json["enabled"] as? Bool == false)
            let stored = try #require(try await Self.storedRule(fixture.console, id))
            #expect(stored.settings == ["track": "sasl", "period": "3600", "messages": "5"] && !stored.enabled)

            // Each change is audited as the token's administrator, over the API.
            let audit = try await fixture.console.auditLog(as: APIFixture.cli, AuditFilter(target: "rule:\(id)")).items
            #expect(audit.map(\.action) == ["policy.rule.change", "policy.rule.change", "policy.rule.add"])
            #expect(audit.allSatisfy { $0.actor == "admin:boss" && $0.channel == .api })

            let off = try await client.api(.patch, "/policies/submitters", token: boss, json: ["enabled": false])
            #expect(off.status == .ok && off.json["enabled"] as? Bool == false && off.json["name"] as? String == "submitters")
            #expect(try await fixture.console.policies(as: APIFixture.cli).policies.first?.enabled == false)

            #expect(try await client.api(.delete, "/policies/rules/\(id)", token: boss).status == .noContent)
            #expect(try await Self.storedRule(fixture.console, id) == nil)
            let again = try await client.api(.delete, "/policies/rules/\(id)", token: boss)
            #expect(again.status == .notFound && again.isProblem)
        }
    }

    @Test func unknownPoliciesAndRulesAre404() async throws {
        try await APIFixture.with { fixture, client in
            let boss = fixture.superToken
            for (method, path, body) in [
                (HTTPRequest.Method.patch, "/policies/nope", ["enabled": true] as [String: Any]),
                (.post, "/policies/nope/rules", ["module": "quota", "settings": Self.quota]),
                (.patch, "/policies/rules/424242", ["enabled": true]),
                (.delete, "/policies/rules/424242", nil),
            ] as [(HTTPRequest.Method, String, [String: Any]?)] {
                let response = try await client.api(method, path, token: boss, json: body)
                #expect(response.status == .notFound, "\(method) \(path)")
                #expect(response.isProblem, "\(method) \(path)")
            }
            #expect(try await fixture.console.policies(as: APIFixture.cli).policies.isEmpty)
        }
    }

    @Test func badSettingsAre422AndChangeNothing() async throws {
        try await APIFixture.with { fixture, client in
            let boss = fixture.superToken
            let id = try await Self.submitters(fixture.console)
            let refused: [(HTTPRequest.Method, String, Any)] = [
                (.post, "/policies/submitters/rules", ["module": "quota", "settings": ["track": "nonsense"]]),
                (.post, "/policies/submitters/rules", ["module": "quota", "settings": ["track": "sasl", "messages": "3"]]),
                (.post, "/policies/submitters/rules", ["module": "access", "settings": ["colour": "red"]]),
                (.patch, "/policies/rules/\(id)", ["settings": ["messages": "lots"]]),
                (.patch, "/policies/rules/\(id)", ["settings": ["action": "DISCARD"], "enabled": false]),
                (.patch, "/policies/rules/\(id)", ["settings": ["text": String(repeating: "x", count: 5000)]]),
                (.patch, "/policies/rules/\(id)", [String: Any]()),
            ]
            for (method, path, body) in refused {
                let response = try await client.api(method, path, token: boss, json: body)
                #expect(response.status == .unprocessableContent, "\(method) \(path) \(body)")
                #expect(response.isProblem && response.json["type"] as? String == "/api/v1/problems/validation")
            }
            // A module the document does not name does not parse: 400.
            let unknown = try await client.api(
                .post, "/policies/submitters/rules", token: boss, json: ["module": "antivirus", "settings": [:]])
            #expect(unknown.status == .badRequest && unknown.isProblem)
            let rules = try await fixture.console.policies(as: APIFixture.cli).policies.flatMap(\.rules)
            #expect(rules.count == 1)
            #expect(rules.first?.settings == Self.quota && rules.first?.enabled == true)
        }
    }

    @Test func helpdeskAndDomainAdminGet403AndNothingChanges() async throws {
        try await APIFixture.with { fixture, client in
            let id = try await Self.submitters(fixture.console)
            _ = try await fixture.console.addDomain(as: APIFixture.cli, name: "example.org")
            _ = try await fixture.console.addAdministrator(
                as: APIFixture.cli, login: "dom", password: "dom-password-1", role: .domainAdmin,
                domains: ["example.org"], displayName: "Domain admin")
            let domainToken = try await fixture.console.addToken(as: APIFixture.cli, admin: "dom", name: "tests").token
            let requests: [(HTTPRequest.Method, String, Any?)] = [
                (.get, "/policies", nil),
                (.post, "/policies/submitters/rules", ["module": "access", "settings": ["action": "OK"]]),
                (.patch, "/policies/rules/\(id)", ["settings": ["messages": "100000"]]),
                (.patch, "/policies/rules/\(id)", ["enabled": false]),
                (.delete, "/policies/rules/\(id)", nil),
                (.patch, "/policies/submitters", ["enabled": false]),
            ]
            for token in [fixture.helpdeskToken, domainToken] {
                for (method, path, body) in requests {
                    let response = try await client.api(method, path, token: token, json: body)
                    #expect(response.status == .forbidden, "\(method) \(path)")
                    #expect(response.isProblem && response.json["type"] as? String == "/api/v1/problems/access-denied")
                }
            }
            let policies = try await fixture.console.policies(as: APIFixture.cli).policies
            #expect(policies.count == 1 && policies.first?.enabled == true)
            #expect(policies.first?.rules.map(\.id) == [id])
            #expect(policies.first?.rules.first?.settings == Self.quota && policies.first?.rules.first?.enabled == true)
            let audit = try await fixture.console.auditLog(as: APIFixture.cli, AuditFilter(limit: 200)).items
            #expect(!audit.contains { $0.action.hasPrefix("policy.") && $0.actor != "cli:root" })
        }
    }
}
