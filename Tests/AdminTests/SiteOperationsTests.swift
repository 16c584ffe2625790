import Admin
import Core
import Foundation
import MailAuth
import Monitor
import Policy
import PostaTestSupport
import Testing

/// Abuse suspensions, DKIM keys and whole policies through the console: the role matrix
/// (helpdesk refused, domain admins held to their domains), the audit rows, on both databases.
@Suite("Abuse, DKIM and policy definitions through the console")
struct SiteOperationsTests {
    /// The fixture's console with the abuse monitor and the DKIM and abuse tables.
    static func console(_ f: AdminFixture) async throws -> AdminConsole {
        _ = try await f.db.migrate(DKIMKeySchema.migrations + AbuseSchema.migrations)
        let c = f.console
        let monitor = AbuseMonitor(
            database: f.db, directory: c.directory, queue: c.queue, settings: AbuseSettings(), hostname: "mx.example.org",
            nodeID: "t", logger: AdminFixture.logger)
        return AdminConsole(
            database: f.db, directory: c.directory, store: c.store, queue: c.queue, authenticator: c.authenticator,
            settings: c.settings, abuse: monitor, logger: AdminFixture.logger)
    }

    static func suspend(_ c: AdminConsole, _ address: String) async throws {
        let account = try #require(try await c.directory.account(address))
        let stored = try await #require(c.abuse).store.suspend(
            AbuseSuspension(accountID: account.id, account: address, suspendedAt: 1_000, node: "t", score: 12, locked: false),
            password: nil)
        #expect(stored)
    }

    @Test("abuse: lists and releases by domain; helpdesk refused; networks are site-wide", arguments: TestDatabases.dialects)
    func abuse(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = try await Self.console(f)
            try await Self.suspend(c, "alice@example.org")
            try await Self.suspend(c, "carol@other.org")
            #expect(
                try await c.abuseSuspensions(as: f.superadmin).map(\.account).sorted() == [
                    "alice@example.org", "carol@other.org",
                ])
            #expect(try await c.abuseSuspensions(as: f.domainAdmin).map(\.account) == ["alice@example.org"])
            await #expect(throws: AccessDenied.self) { try await c.abuseSuspensions(as: f.helpdesk) }
            await #expect(throws: AccessDenied.self) { try await c.abuseAccount(as: f.helpdesk, account: "alice@example.org") }
            await #expect(throws: AccessDenied.self) { try await c.abuseAccount(as: f.domainAdmin, account: "carol@other.org") }
            await #expect(throws: AccessDenied.self) {
                try await c.releaseAbuseSuspension(as: f.domainAdmin, account: "carol@other.org", deleteHeld: false)
            }
            await #expect(throws: AdminError.notFound("no account 'nobody@example.org'")) {
                try await c.abuseAccount(as: f.superadmin, account: "nobody@example.org")
            }

            let view = try await c.abuseAccount(as: f.domainAdmin, account: "alice@example.org")
            #expect(view.suspended && view.suspension?.score == 12)
            let released = try await c.releaseAbuseSuspension(as: f.domainAdmin, account: "alice@example.org", deleteHeld: false)
            #expect(released.released)
            #expect(try await c.abuseSuspensions(as: f.superadmin).map(\.account) == ["carol@other.org"])
            // Not suspended any more: nothing to do, nothing audited.
            #expect(
                try await !c.releaseAbuseSuspension(as: f.superadmin, account: "alice@example.org", deleteHeld: true).released)

            // A network is site-wide: the superadmin's; an account of their domain the domain admin's.
            await #expect(throws: AccessDenied.self) {
                try await c.setAbuseIgnore(as: f.domainAdmin, target: "192.0.2.0/24", rule: nil, remove: false)
            }
            await #expect(throws: AccessDenied.self) {
                try await c.setAbuseIgnore(as: f.helpdesk, target: "alice@example.org", rule: .rate, remove: false)
            }
            let network = try await c.setAbuseIgnore(as: f.superadmin, target: "192.0.2.0/24", rule: nil, remove: false)
            #expect(network.kind == "network" && network.rule == "all")
            _ = try await c.setAbuseIgnore(as: f.domainAdmin, target: "alice@example.org", rule: .rate, remove: false)
            #expect(try await c.abuseAccount(as: f.superadmin, account: "alice@example.org").ignores.map(\.rule) == [.rate])
            await #expect(throws: AdminError.self) {
                try await c.setAbuseIgnore(as: f.superadmin, target: "not a network", rule: nil, remove: false)
            }

            let audit = try await c.auditLog(as: f.superadmin, AuditFilter()).items.filter { $0.action.hasPrefix("abuse.") }
            #expect(audit.map(\.action) == ["abuse.ignore", "abuse.ignore", "abuse.release"])
            let release = try #require(audit.last)
            #expect(release.actor == "admin:dora" && release.target == "alice@example.org")
            #expect(release.before?.contains("\"score\":12") == true)
            #expect(release.after?.contains("\"released\":true") == true)
        }
    }

    @Test("abuse operations on a site without the monitor are a conflict, not a crash", arguments: TestDatabases.dialects)
    func noMonitor(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            await #expect(throws: AdminError.self) { try await f.console.abuseSuspensions(as: f.superadmin) }
        }
    }

    @Test(
        "DKIM: make, rotate, retire within the domain admin's domains; no private key anywhere", arguments: TestDatabases.dialects
    )
    func dkim(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = try await Self.console(f)
            await #expect(throws: AccessDenied.self) { try await c.dkimKeys(as: f.helpdesk) }
            await #expect(throws: AccessDenied.self) {
                try await c.generateDKIMKey(as: f.helpdesk, domain: "example.org", algorithm: .ed25519SHA256)
            }
            await #expect(throws: AccessDenied.self) {
                try await c.generateDKIMKey(as: f.domainAdmin, domain: "other.org", algorithm: .ed25519SHA256)
            }
            let key = try await c.generateDKIMKey(as: f.domainAdmin, domain: "example.org", algorithm: .ed25519SHA256)
            _ = try await c.generateDKIMKey(as: f.superadmin, domain: "other.org", algorithm: .ed25519SHA256)
            #expect(key.state == .active && key.dnsRecord?.hasPrefix("v=DKIM1; k=ed25519; p=") == true)
            #expect(key.dnsName == "\(key.selector)._domainkey.example.org")
            // The record served is the store's, which the DNS records of the domain publish.
            let published = try await DKIMKeyStore(database: f.db).publishedRecords(domain: "example.org")
            #expect(published.map(\.text) == [key.dnsRecord])
            #expect(try await c.dkimKeys(as: f.domainAdmin).map(\.domain) == ["example.org"])
            #expect(Set(try await c.dkimKeys(as: f.superadmin).map(\.domain)) == ["example.org", "other.org"])
            await #expect(throws: AccessDenied.self) { try await c.dkimKeys(as: f.domainAdmin, domain: "other.org") }
            // A second active key of the algorithm: rotate instead.
            await #expect(throws: AdminError.self) {
                try await c.generateDKIMKey(as: f.superadmin, domain: "example.org", algorithm: .ed25519SHA256)
            }
            await #expect(throws: AdminError.self) {
                try await c.rotateDKIMKeys(as: f.superadmin, domain: "example.org", keepDays: 9999)
            }

            let rotated = try await c.rotateDKIMKeys(as: f.domainAdmin, domain: "example.org", keepDays: 3)
            #expect(rotated.count == 1 && rotated[0].retiring.selector == key.selector && rotated[0].retiring.state == .retiring)
            #expect(rotated[0].active.state == .active && rotated[0].active.selector != key.selector)
            // Still published for mail it signed: retiring it now needs force.
            await #expect(throws: AdminError.self) {
                try await c.retireDKIMKey(as: f.domainAdmin, domain: "example.org", selector: key.selector)
            }
            let retired = try await c.retireDKIMKey(as: f.domainAdmin, domain: "example.org", selector: key.selector, force: true)
            #expect(retired.state == .retired && retired.dnsRecord == nil)
            await #expect(throws: AdminError.notFound("no DKIM key 'nope' for example.org")) {
                try await c.retireDKIMKey(as: f.superadmin, domain: "example.org", selector: "nope")
            }

            let audit = try await c.auditLog(as: f.superadmin, AuditFilter()).items.filter { $0.action.hasPrefix("dkim.") }
            #expect(audit.map(\.action) == ["dkim.retire", "dkim.rotate", "dkim.generate", "dkim.generate"])
            for entry in audit {
                let text = (entry.before ?? "") + (entry.after ?? "")
                #expect(!text.contains("PRIVATE KEY") && !text.contains("private"))
            }
            let stored = try await DKIMKeyStore(database: f.db).keys(domain: "example.org")
            #expect(stored.first { $0.selector == key.selector }?.privateKeyPEM == "")
        }
    }

    @Test("policies, members and groups: superadmin only, audited", arguments: TestDatabases.dialects)
    func policyDefinitions(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            for principal in [f.helpdesk, f.domainAdmin] {
                await #expect(throws: AccessDenied.self) { try await c.addPolicy(as: principal, name: "x", priority: 1) }
                await #expect(throws: AccessDenied.self) { try await c.policyGroups(as: principal) }
                await #expect(throws: AccessDenied.self) { try await c.addPolicyGroup(as: principal, name: "g") }
            }
            try await c.addPolicy(as: f.superadmin, name: "outsiders", priority: 5, description: "block <them>")
            await #expect(throws: AdminError.self) { try await c.addPolicy(as: f.superadmin, name: "outsiders", priority: 5) }
            await #expect(throws: AdminError.self) { try await c.addPolicy(as: f.superadmin, name: "bad name", priority: 5) }
            try await c.addPolicyGroup(as: f.superadmin, name: "Partners")
            try await c.addPolicyGroupEntry(as: f.superadmin, group: "partners", pattern: "@partner.example")
            let member = try await c.addPolicyMember(
                as: f.superadmin, policy: "outsiders", attribute: .sender, pattern: "%partners")
            let client = try await c.addPolicyMember(
                as: f.superadmin, policy: "outsiders", attribute: .client, pattern: "198.51.100.0/24", negate: true)
            await #expect(throws: AdminError.self) {
                try await c.addPolicyMember(as: f.superadmin, policy: "outsiders", attribute: .client, pattern: "not-an-ip")
            }
            await #expect(throws: AdminError.notFound("policy nothing")) {
                try await c.addPolicyMember(as: f.superadmin, policy: "nothing", attribute: .sender, pattern: "@x.example")
            }
            await #expect(throws: AccessDenied.self) { try await c.deletePolicyMember(as: f.domainAdmin, id: member) }
            let policy = try #require(try await c.policies(as: f.superadmin).policies.first { $0.name == "outsiders" })
            #expect(policy.members.map(\.id) == [member, client] && policy.members[1].negate)
            #expect(try await c.policyGroups(as: f.superadmin).map(\.entries) == [["@partner.example"]])
            // A group a member uses stays.
            await #expect(throws: AdminError.self) { try await c.deletePolicyGroup(as: f.superadmin, name: "partners") }
            try await c.deletePolicyMember(as: f.superadmin, id: member)
            try await c.deletePolicyGroupEntry(as: f.superadmin, group: "partners", pattern: "@partner.example")
            try await c.deletePolicyGroup(as: f.superadmin, name: "partners")
            try await c.deletePolicy(as: f.superadmin, name: "outsiders")
            #expect(try await c.policies(as: f.superadmin).policies.isEmpty)
            await #expect(throws: AdminError.notFound("policy outsiders")) {
                try await c.deletePolicy(as: f.superadmin, name: "outsiders")
            }

            let audit = try await c.auditLog(as: f.superadmin, AuditFilter()).items.filter { $0.action.hasPrefix("policy.") }
            #expect(
                audit.map(\.action).reversed() == [
                    "policy.add", "policy.group.add", "policy.group.change", "policy.member.add", "policy.member.add",
                    "policy.member.delete", "policy.group.change", "policy.group.delete", "policy.delete",
                ])
            let deleted = try #require(audit.first)
            #expect(deleted.target == "policy:outsiders" && deleted.before?.contains("198.51.100.0/24") == true)
        }
    }
}
