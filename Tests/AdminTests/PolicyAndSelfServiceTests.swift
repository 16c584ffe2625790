import Admin
import Core
import Directory
import Foundation
import Policy
import PostaTestSupport
import Testing

@Suite("Policies and self-service through the console")
struct PolicyAndSelfServiceTests {
    @Test("a superadmin changes a sending quota; the change is stored and audited", arguments: TestDatabases.dialects)
    func quotaRule(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            try await PolicyStore(database: f.db).addPolicy("submitters", priority: 10)
            let id = try await c.addPolicyRule(
                as: f.superadmin, policy: "submitters", module: .quota,
                settings: ["track": "sasl", "period": "3600", "messages": "100"])
            try await c.changePolicyRule(as: f.superadmin, id: id, settings: ["messages": "5"])
            let overview = try await c.policies(as: f.superadmin)
            let rule = try #require(overview.policies.first { $0.name == "submitters" }?.rules.first)
            #expect(rule.settings["messages"] == "5" && rule.settings["track"] == "sasl")
            // Settings the module refuses are an invalid request, not a stored rule.
            await #expect(throws: AdminError.self) {
                try await c.changePolicyRule(as: f.superadmin, id: id, settings: ["track": "nonsense"])
            }
            await #expect(throws: AccessDenied.self) {
                try await c.changePolicyRule(as: f.domainAdmin, id: id, settings: ["messages": "500"])
            }
            try await c.setPolicyRuleEnabled(as: f.superadmin, id: id, enabled: false)
            let changes = try await c.auditLog(as: f.superadmin, AuditFilter(target: "rule:\(id)")).items
            #expect(changes.map(\.action) == ["policy.rule.change", "policy.rule.change", "policy.rule.add"])
            let change = changes[1]
            #expect(change.before?.contains("\"messages\":\"100\"") == true)
            #expect(change.after?.contains("\"messages\":\"5\"") == true)
            try await c.deletePolicyRule(as: f.superadmin, id: id)
            #expect(try await c.policies(as: f.superadmin).policies.first { $0.name == "submitters" }?.rules.isEmpty == true)
        }
    }

    @Test("a user changes their own password and forwarding, nothing else", arguments: TestDatabases.dialects)
    func selfService(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let alice = try await f.userPrincipal("alice@example.org")
            await #expect(throws: AdminError.self) {
                try await c.changeOwnPassword(as: alice, current: "not-it", new: "brand-new-pass")
            }
            try await c.changeOwnPassword(as: alice, current: "secret-password", new: "brand-new-pass")
            #expect(
                try await c.directory.authenticate("alice@example.org", password: "brand-new-pass") != .failure(.wrongPassword))
            try await c.setForwarding(as: alice, targets: ["alice@elsewhere.example"], keepCopy: true)
            let own = try await c.ownAccount(as: alice)
            #expect(own.forwarding == ["alice@elsewhere.example"] && own.keepsCopy)
            #expect(
                try await c.aliases(as: f.superadmin, domain: "example.org").first?.targets.sorted() == [
                    "alice@elsewhere.example", "alice@example.org",
                ])
            try await c.setForwarding(as: alice, targets: [])
            #expect(try await c.ownAccount(as: alice).forwarding.isEmpty)
            await #expect(throws: AccessDenied.self) {
                try await c.setPassword(as: alice, address: "bob@example.org", password: "taken-over-1")
            }
            let audit = try await c.auditLog(as: f.superadmin, AuditFilter(actor: "user:alice@example.org")).items
            #expect(audit.map(\.action) == ["account.forwarding", "account.forwarding", "account.password"])
        }
    }
}
