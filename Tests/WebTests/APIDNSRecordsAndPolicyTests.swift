import Admin
import Core
import Foundation
import Hummingbird
import HummingbirdTesting
import Policy
import PostaTestSupport
import Testing

/// `GET /domains/{name}/dns-records` (the console's and the CLI's records, scoped) and
/// `PATCH /policies/{name}` with a priority and a description (audited; problem details when
/// the request is not acceptable).
@Suite struct APIDNSRecordsAndPolicyTests {
    @Test(arguments: TestDatabases.dialects)
    func dnsRecordsAreTheConsolesAndScoped(dialect: Database.Dialect) async throws {
        try await APIFixture.with(dialect) { fixture, client in
            let console = fixture.console
            for domain in ["example.org", "other.org"] { _ = try await console.addDomain(as: APIFixture.cli, name: domain) }
            let key = try await console.generateDKIMKey(as: APIFixture.cli, domain: "example.org", algorithm: .ed25519SHA256)
            let answer = try await client.api(.get, "/domains/example.org/dns-records", token: fixture.superToken)
            #expect(answer.status == .ok)
            let set = try await console.dnsRecords(as: APIFixture.cli, domain: "example.org")
            #expect(answer.json["domain"] as? String == "example.org" && answer.json["hostname"] as? String == "mx.example.net")
            #expect(answer.json["zone_file"] as? String == set.zoneFile)
            let records = try #require(answer.json["records"] as? [[String: Any]])
            #expect(records.count == set.records.count)
            for (json, record) in zip(records, set.records) {
                #expect(json["name"] as? String == record.name && json["type"] as? String == record.type)
                #expect(json["data"] as? String == record.presentation && json["text"] as? String == record.text)
                #expect(json["comment"] as? String == record.comment)
            }
            #expect(records.contains { $0["name"] as? String == key.dnsName && $0["text"] as? String == key.dnsRecord })

            // A domain admin for their domains; a helpdesk not at all; a bad name is a 422.
            _ = try await console.addAdministrator(
                as: APIFixture.cli, login: "dora", password: "dora-password-1", role: .domainAdmin, domains: ["example.org"],
                displayName: "Dora")
            let dora = try await console.addToken(as: APIFixture.cli, admin: "dora", name: "tests").token
            #expect(try await client.api(.get, "/domains/example.org/dns-records", token: dora).status == .ok)
            let refused = try await client.api(.get, "/domains/other.org/dns-records", token: dora)
            #expect(refused.status == .forbidden && refused.isProblem)
            let desk = try await client.api(.get, "/domains/example.org/dns-records", token: fixture.helpdeskToken)
            #expect(desk.status == .forbidden && desk.isProblem)
            let bad = try await client.api(.get, "/domains/not_a..domain/dns-records", token: fixture.superToken)
            #expect(bad.status == .unprocessableContent && bad.isProblem)
            #expect(try await client.api(.get, "/domains/example.org/dns-records", token: nil).status == .unauthorized)
        }
    }

    @Test(arguments: TestDatabases.dialects)
    func policyPriorityAndDescription(dialect: Database.Dialect) async throws {
        try await APIFixture.with(dialect) { fixture, client in
            let boss = fixture.superToken
            try await fixture.console.addPolicy(as: APIFixture.cli, name: "submitters", priority: 10, description: "old")
            let changed = try await client.api(
                .patch, "/policies/submitters", token: boss, json: ["priority": 3, "description": "Authenticated senders"])
            #expect(changed.status == .ok)
            #expect(changed.json["priority"] as? Int64 == 3 && changed.json["description"] as? String == "Authenticated senders")
            #expect(changed.json["enabled"] as? Bool == true)
            // One field leaves the other.
            let priorityOnly = try await client.api(.patch, "/policies/submitters", token: boss, json: ["priority": -5])
            #expect(priorityOnly.json["priority"] as? Int64 == -5)
            #expect(priorityOnly.json["description"] as? String == "Authenticated senders")
            let all = try await client.api(
                .patch, "/policies/submitters", token: boss, json: ["description": "", "enabled": false])
            #expect(all.status == .ok && all.json["description"] as? String == "" && all.json["enabled"] as? Bool == false)
            let stored = try #require(try await fixture.console.policies(as: APIFixture.cli).policies.first)
            #expect(stored.priority == -5 && stored.description == "" && !stored.enabled)

            let audit = try await fixture.console.auditLog(as: APIFixture.cli, AuditFilter(target: "policy:submitters")).items
            // The description and the switch together are one change: one transaction, one audit row.
            #expect(audit.map(\.action) == ["policy.change", "policy.change", "policy.change", "policy.add"])
            #expect(audit.first?.after?.contains("\"enabled\":false") == true)
            #expect(audit.dropLast().allSatisfy { $0.actor == "admin:boss" && $0.channel == .api })

            // Nothing to change, a description too long, a priority that is no integer: 4xx problems.
            for body in [
                [String: Any](), ["description": String(repeating: "x", count: 1_001)], ["priority": "soon"],
                ["priority": 1.5],
            ] {
                let refused = try await client.api(.patch, "/policies/submitters", token: boss, json: body)
                #expect((400...422).contains(Int(refused.status.code)) && refused.isProblem, "\(body)")
            }
            let unknown = try await client.api(.patch, "/policies/nope", token: boss, json: ["priority": 1])
            #expect(unknown.status == .notFound && unknown.isProblem)
            let desk = try await client.api(.patch, "/policies/submitters", token: fixture.helpdeskToken, json: ["priority": 1])
            #expect(desk.status == .forbidden && desk.isProblem)
            #expect(try await fixture.console.policies(as: APIFixture.cli).policies.first?.priority == -5)
        }
    }
}
