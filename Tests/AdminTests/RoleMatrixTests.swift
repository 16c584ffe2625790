import Admin
import Core
import Directory
import PostaTestSupport
import Testing

/// Every permission × every role, written out here (not derived from `grants`), and domain
/// scoping through the operations themselves.
@Suite("Roles and domain scoping")
struct RoleMatrixTests {
    static let expected: [Permission: Set<AdminRole>] = [
        .viewDashboard: [.superadmin, .domainAdmin, .helpdesk],
        .viewAccounts: [.superadmin, .domainAdmin, .helpdesk],
        .createAccounts: [.superadmin, .domainAdmin, .helpdesk],
        .deleteAccounts: [.superadmin, .domainAdmin],
        .resetPasswords: [.superadmin, .domainAdmin, .helpdesk],
        .enableAccounts: [.superadmin, .domainAdmin, .helpdesk],
        .setQuotas: [.superadmin, .domainAdmin, .helpdesk],
        .viewLoginLog: [.superadmin, .domainAdmin, .helpdesk],
        .liftThrottle: [.superadmin, .domainAdmin, .helpdesk],
        .manageDomains: [.superadmin],
        .manageAliases: [.superadmin, .domainAdmin],
        .viewPolicies: [.superadmin],
        .managePolicies: [.superadmin],
        .manageQueue: [.superadmin, .domainAdmin],
        .manageQuarantine: [.superadmin, .domainAdmin],
        .manageFilters: [.superadmin, .domainAdmin],
        .manageAdmins: [.superadmin],
        .viewAudit: [.superadmin, .domainAdmin],
        .manageAbuse: [.superadmin, .domainAdmin],
        .manageDKIM: [.superadmin, .domainAdmin],
        .viewDNSRecords: [.superadmin, .domainAdmin],
        .viewReports: [.superadmin, .domainAdmin],
        .manageReports: [.superadmin],
        .manageLists: [.superadmin, .domainAdmin],
    ]

    static func principal(_ role: AdminRole, domains: [String]) -> Principal {
        let admin = Administrator(
            id: 1, login: "x", displayName: "", role: role, domains: domains, totpEnabled: false, enabled: true, createdAt: 0,
            lastLoginAt: nil)
        return Principal(.administrator(admin), channel: .api, clientIP: "192.0.2.1")
    }

    @Test("each role grants exactly the documented permissions", arguments: AdminRole.allCases)
    func matrix(role: AdminRole) {
        #expect(Set(Self.expected.keys) == Set(Permission.allCases))
        let domains = role == .superadmin ? [] : ["example.org"]
        let p = Self.principal(role, domains: domains)
        for permission in Permission.allCases {
            let granted = Self.expected[permission]!.contains(role)
            #expect(p.may(permission) == granted, "\(role) \(permission)")
            #expect(p.may(permission, in: "example.org") == granted, "\(role) \(permission) in its domain")
            // Outside its domains only the superadmin acts.
            #expect(p.may(permission, in: "other.org") == (granted && role == .superadmin), "\(role) \(permission) elsewhere")
        }
    }

    @Test("the CLI is a superadmin; a mail user has no administrative permission", arguments: TestDatabases.dialects)
    func consoleAndUser(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in try await Self.consoleAndUser(f) }
    }

    static func consoleAndUser(_ f: AdminFixture) async throws {
        let cli = f.cli
        let user = try await f.userPrincipal("alice@example.org")
        await #expect(throws: AccessDenied.self) { try await f.console.account(as: user, address: "alice@example.org") }
        await #expect(throws: AccessDenied.self) { try await f.console.account(as: user, address: "bob@example.org") }
        #expect(try await f.console.ownAccount(as: user).account.address == "alice@example.org")
        for permission in Permission.allCases {
            #expect(cli.may(permission, in: "any.example"))
            #expect(!user.may(permission, in: "example.org"))
        }
        #expect(throws: AccessDenied.self) { try user.require(.viewAccounts, in: "example.org") }
        // An unlimited helpdesk acts in every domain.
        #expect(Self.principal(.helpdesk, domains: []).may(.resetPasswords, in: "other.org"))
    }

    @Test("a domain admin sees and changes only their domains", arguments: TestDatabases.dialects)
    func domainScoping(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let listed = try await c.accounts(as: f.domainAdmin, AccountQuery()).items.map(\.address)
            #expect(listed == ["alice@example.org", "bob@example.org"])
            #expect(try await c.domains(as: f.domainAdmin).map(\.name) == ["example.org"])
            await #expect(throws: AccessDenied.self) { try await c.account(as: f.domainAdmin, address: "carol@other.org") }
            // Same answer whether the account exists or not: nothing about other.org leaks.
            await #expect(throws: AccessDenied.self) { try await c.account(as: f.domainAdmin, address: "nobody@other.org") }
            await #expect(throws: AccessDenied.self) {
                try await c.accounts(as: f.domainAdmin, AccountQuery(domain: "other.org"))
            }
            await #expect(throws: AccessDenied.self) {
                try await c.setPassword(as: f.domainAdmin, address: "carol@other.org", password: "long-enough-1")
            }
            await #expect(throws: AccessDenied.self) { try await c.addDomain(as: f.domainAdmin, name: "new.org") }
            await #expect(throws: AccessDenied.self) { try await c.policies(as: f.domainAdmin) }
            await #expect(throws: AccessDenied.self) { try await c.administrators(as: f.domainAdmin) }
            try await c.addAlias(as: f.domainAdmin, source: "sales@example.org", targets: ["alice@example.org"])
            await #expect(throws: AccessDenied.self) {
                try await c.addAlias(as: f.domainAdmin, source: "sales@other.org", targets: ["alice@example.org"])
            }
            // Their aliases may forward outside the site, never into another domain's mailboxes.
            try await c.addAlias(as: f.domainAdmin, source: "sales@example.org", targets: ["partner@remote.example"])
            await #expect(throws: AccessDenied.self) {
                try await c.addAlias(as: f.domainAdmin, source: "sales@example.org", targets: ["carol@OTHER.org"])
            }
            await #expect(throws: AccessDenied.self) {
                try await c.addAlias(as: f.domainAdmin, source: "@example.org", targets: ["bob@example.org", "x@other.org"])
            }
            try await c.addAlias(as: f.cli, source: "info@other.org", targets: ["carol@other.org"])
            try await c.addAlias(as: f.superadmin, source: "copy@example.org", targets: ["carol@other.org"])
            #expect(
                try await c.aliases(as: f.domainAdmin, domain: nil).map(\.source) == ["copy@example.org", "sales@example.org"])
            // The login log shows only their domains' logins.
            _ = await c.logIn(login: "carol@other.org", password: "wrong", totp: nil, clientIP: "192.0.2.7")
            _ = await c.logIn(login: "alice@example.org", password: "wrong", totp: nil, clientIP: "192.0.2.7")
            let logins = try await c.loginLog(as: f.domainAdmin, LoginLogFilter()).items.map(\.login)
            #expect(logins == ["alice@example.org"])
            // Their audit view is their own actions.
            let audit = try await c.auditLog(as: f.domainAdmin, AuditFilter()).items
            #expect(!audit.isEmpty && audit.allSatisfy { $0.actor == "admin:dora" })
        }
    }

    @Test("a helpdesk: accounts yes; policies, domains, aliases, queue, admins, audit no", arguments: TestDatabases.dialects)
    func helpdesk(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let h = f.helpdesk
            _ = try await c.createAccount(
                as: h, address: "new@other.org", password: "long-enough-1", displayName: "New", quotaBytes: 1 << 20)
            try await c.setPassword(as: h, address: "new@other.org", password: "another-one-2")
            try await c.setEnabled(as: h, address: "new@other.org", enabled: false)
            #expect(try await c.account(as: h, address: "new@other.org").account.enabled == false)
            await #expect(throws: AccessDenied.self) { try await c.deleteAccount(as: h, address: "new@other.org") }
            await #expect(throws: AccessDenied.self) { try await c.policies(as: h) }
            await #expect(throws: AccessDenied.self) { try await c.deleteDomain(as: h, name: "other.org") }
            await #expect(throws: AccessDenied.self) { try await c.aliases(as: h, domain: nil) }
            await #expect(throws: AccessDenied.self) { try await c.queueEntries(as: h, QueueFilter()) }
            await #expect(throws: AccessDenied.self) { try await c.administrators(as: h) }
            await #expect(throws: AccessDenied.self) { try await c.auditLog(as: h, AuditFilter()) }
            await #expect(throws: AccessDenied.self) {
                try await c.addToken(as: h, admin: "root", name: "steal")
            }
        }
    }

    @Test("a helpdesk sets quotas up to the ceiling, never unlimited", arguments: TestDatabases.dialects)
    func quotaCeiling(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let ceiling = AdminFixture.settings.helpdeskQuotaCeiling.bytes
            try await c.setQuota(as: f.helpdesk, address: "alice@example.org", bytes: ceiling)
            #expect(try await c.account(as: f.helpdesk, address: "alice@example.org").account.quotaBytes == ceiling)
            await #expect(throws: AccessDenied.self) {
                try await c.setQuota(as: f.helpdesk, address: "alice@example.org", bytes: ceiling + 1)
            }
            await #expect(throws: AccessDenied.self) {
                try await c.setQuota(as: f.helpdesk, address: "alice@example.org", bytes: 0)
            }
            await #expect(throws: AccessDenied.self) {
                try await c.createAccount(
                    as: f.helpdesk, address: "big@example.org", password: "long-enough-1", displayName: "",
                    quotaBytes: ceiling * 2)
            }
            // A superadmin is not held to it.
            try await c.setQuota(as: f.superadmin, address: "alice@example.org", bytes: ceiling * 4)
            #expect(try await c.account(as: f.superadmin, address: "alice@example.org").account.quotaBytes == ceiling * 4)
        }
    }
}
