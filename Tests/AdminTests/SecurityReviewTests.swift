import Admin
import Core
import Directory
import PostaTestSupport
import Queue
import SQLKit
import Testing

/// The findings of the security review of the service layer, one test each.
@Suite("Security review: sessions, scopes, last superadmin, credentials over the API")
struct SecurityReviewTests {
    static func logIn(_ c: AdminConsole, _ login: String, _ password: String) async throws -> ConsoleSession {
        try SessionTests.session(await c.logIn(login: login, password: password, totp: nil, clientIP: "192.0.2.1"))
    }

    static func alive(_ c: AdminConsole, _ s: ConsoleSession) async throws -> Bool {
        try await c.session(token: s.token, clientIP: "192.0.2.1") != nil
    }

    @Test(
        "a user's console sessions end when the password is set or changed, or the account disabled or deleted",
        arguments: TestDatabases.dialects)
    func userSessionsEnd(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let mine = try await Self.logIn(c, "alice@example.org", "secret-password")
            let other = try await Self.logIn(c, "alice@example.org", "secret-password")
            try await c.changeOwnPassword(
                as: mine.principal, current: "secret-password", new: "new-password-1", keepingSession: mine.token)
            #expect(try await Self.alive(c, mine))
            #expect(try await !Self.alive(c, other))
            try await c.setPassword(as: f.helpdesk, address: "alice@example.org", password: "reset-password-2")
            #expect(try await !Self.alive(c, mine))
            let again = try await Self.logIn(c, "alice@example.org", "reset-password-2")
            try await c.setEnabled(as: f.helpdesk, address: "alice@example.org", enabled: false)
            try await c.setEnabled(as: f.helpdesk, address: "alice@example.org", enabled: true)
            #expect(try await !Self.alive(c, again))
            _ = try await Self.logIn(c, "bob@example.org", "secret-password")
            let bob = try #require(try await c.directory.account("bob@example.org"))
            try await c.deleteAccount(as: f.superadmin, address: "bob@example.org")
            let left = try await f.db.withConnection { db in
                try await db.select().column("id").from("admin_session").where("account_id", .equal, bob.id).all().count
            }
            #expect(left == 0)
        }
    }

    @Test(
        "an administrator's API tokens go when someone else sets their password or disables them",
        arguments: TestDatabases.dialects)
    func adminTokensRevoked(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let first = try await c.addToken(as: f.superadmin, admin: "hal", name: "a").token
            // Their own change (in the console) keeps their tokens.
            try await c.setAdministratorPassword(as: f.helpdesk, login: "hal", password: "hal-password-2")
            #expect(try await c.principal(apiToken: first, clientIP: "192.0.2.3") != nil)
            try await c.setAdministratorPassword(as: f.superadmin, login: "hal", password: "hal-password-3")
            #expect(try await c.principal(apiToken: first, clientIP: "192.0.2.3") == nil)
            let second = try await c.addToken(as: f.superadmin, admin: "hal", name: "b").token
            try await c.setAdministratorEnabled(as: f.superadmin, login: "hal", enabled: false)
            try await c.setAdministratorEnabled(as: f.superadmin, login: "hal", enabled: true)
            #expect(try await c.principal(apiToken: second, clientIP: "192.0.2.3") == nil)
        }
    }

    @Test("throttle lifting and the login log stay away from administrators' logins", arguments: TestDatabases.dialects)
    func administratorLoginsOutOfReach(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            await #expect(throws: AdminError.self) {
                try await c.addAdministrator(
                    as: f.cli, login: "alice@example.org", password: "admin-password-1", role: .helpdesk, domains: [],
                    displayName: "")
            }
            for login in ["root", "nobody@example.org", "alice@example.org", "carol@other.org"] {
                _ = await c.logIn(login: login, password: "wrong", totp: nil, clientIP: "192.0.2.7")
            }
            await #expect(throws: AccessDenied.self) { try await c.liftThrottle(as: f.helpdesk, login: "root") }
            await #expect(throws: AccessDenied.self) { try await c.liftThrottle(as: f.domainAdmin, login: "carol@other.org") }
            await #expect(throws: AdminError.self) { try await c.liftThrottle(as: f.helpdesk, login: "nobody@example.org") }
            try await c.liftThrottle(as: f.helpdesk, login: "carol@other.org")
            try await c.liftThrottle(as: f.superadmin, login: "root")
            // A helpdesk without domains sees mail accounts' rows only; a superadmin sees all.
            let seen = Set(try await c.loginLog(as: f.helpdesk, LoginLogFilter()).items.map(\.login))
            #expect(seen == ["alice@example.org", "carol@other.org"])
            #expect(try await c.loginLog(as: f.helpdesk, LoginLogFilter(login: "root")).items.isEmpty)
            let all = Set(try await c.loginLog(as: f.superadmin, LoginLogFilter()).items.map(\.login))
            #expect(all.isSuperset(of: ["root", "nobody@example.org"]))
            #expect(try await c.loginLog(as: f.domainAdmin, LoginLogFilter()).items.map(\.login) == ["alice@example.org"])
        }
    }

    @Test("a domain admin's queue: messages whose every recipient is in their domains", arguments: TestDatabases.dialects)
    func queueScope(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let inbound = try await f.enqueue(from: "someone@other.org", to: ["alice@example.org"])
            let mixed = try await f.enqueue(from: "alice@example.org", to: ["bob@example.org", "x@other.org"])
            let outbound = try await f.enqueue(from: "alice@example.org", to: ["x@other.org"])
            #expect(try await c.queueEntries(as: f.domainAdmin, QueueFilter()).items.map(\.id) == [inbound])
            #expect(try await c.queueEntries(as: f.superadmin, QueueFilter()).items.count == 3)
            await #expect(throws: AdminError.self) { try await c.queueEntry(as: f.domainAdmin, id: mixed) }
            let failed = try await c.queue(as: f.domainAdmin, .delete, ids: [mixed, outbound, "no-such-id"])
            #expect(failed == [mixed: "no such message", outbound: "no such message", "no-such-id": "no such message"])
            #expect(try await c.queue(as: f.domainAdmin, .release, ids: [inbound]).isEmpty)
            // The dashboard's site-wide queue counts are not theirs.
            #expect(try await c.dashboard(as: f.domainAdmin).queue == nil)
            #expect(try await c.dashboard(as: f.superadmin).queue?.total == 3)
            #expect(try await c.dashboard(as: f.helpdesk).queue != nil)
        }
    }

    @Test("the last enabled superadmin is neither demoted nor disabled", arguments: TestDatabases.dialects)
    func lastSuperadmin(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            await #expect(throws: AdminError.self) {
                try await c.setAdministratorRole(as: f.superadmin, login: "root", role: .helpdesk, domains: [])
            }
            await #expect(throws: AdminError.self) {
                try await c.setAdministratorEnabled(as: f.superadmin, login: "root", enabled: false)
            }
            #expect(try await c.administrators(as: f.superadmin).first { $0.login == "root" }?.role == .superadmin)
            _ = try await c.addAdministrator(
                as: f.cli, login: "sue", password: "admin-password-1", role: .superadmin, domains: [], displayName: "")
            try await c.setAdministratorEnabled(as: f.superadmin, login: "sue", enabled: false)
            await #expect(throws: AdminError.self) {
                try await c.setAdministratorRole(as: f.superadmin, login: "root", role: .helpdesk, domains: [])
            }
            try await c.setAdministratorEnabled(as: f.superadmin, login: "sue", enabled: true)
            try await c.setAdministratorRole(as: f.superadmin, login: "root", role: .helpdesk, domains: [])
        }
    }

    @Test(
        "over the API: no own password, own tokens or own TOTP off; a superadmin still manages others",
        arguments: TestDatabases.dialects)
    func credentialsOverAPI(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            let hal = Principal(f.helpdesk.identity, channel: .api, clientIP: "192.0.2.3")
            let root = Principal(f.superadmin.identity, channel: .api, clientIP: "192.0.2.3")
            await #expect(throws: AccessDenied.self) {
                try await c.setAdministratorPassword(as: hal, login: "hal", password: "stolen-password-1")
            }
            await #expect(throws: AccessDenied.self) { try await c.addToken(as: hal, admin: "hal", name: "more") }
            _ = try await c.enableTOTP(as: f.helpdesk, login: "hal")
            await #expect(throws: AccessDenied.self) { try await c.disableTOTP(as: hal, login: "hal") }
            await #expect(throws: AccessDenied.self) { try await c.addToken(as: root, admin: "root", name: "more") }
            try await c.setAdministratorPassword(as: root, login: "hal", password: "reset-password-1")
            _ = try await c.addToken(as: root, admin: "hal", name: "for hal")
            try await c.disableTOTP(as: root, login: "hal")
            let user = Principal(try await f.userPrincipal("alice@example.org").identity, channel: .api, clientIP: nil)
            await #expect(throws: AccessDenied.self) {
                try await c.changeOwnPassword(as: user, current: "secret-password", new: "stolen-password-1")
            }
        }
    }

    @Test("a deleted domain takes its administrators' grants along", arguments: TestDatabases.dialects)
    func deletedDomainGrants(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            _ = try await c.addDomain(as: f.cli, name: "third.org")
            _ = try await c.addAdministrator(
                as: f.cli, login: "tess", password: "admin-password-1", role: .domainAdmin, domains: ["third.org"],
                displayName: "")
            await #expect(throws: AdminError.self) { try await c.deleteDomain(as: f.superadmin, name: "example.org") }
            try await c.deleteDomain(as: f.superadmin, name: "third.org")
            _ = try await c.addDomain(as: f.cli, name: "third.org")
            #expect(try await c.administrators(as: f.superadmin).first { $0.login == "tess" }?.domains == [])
            #expect(try await c.administrators(as: f.superadmin).first { $0.login == "dora" }?.domains == ["example.org"])
        }
    }

    @Test("TOTP on without a usable secret refuses the login", arguments: TestDatabases.dialects)
    func totpFailsClosed(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            _ = try await c.enableTOTP(as: f.cli, login: "root")
            for secret in [String?.none, "not base32!"] {
                try await f.db.withConnection { db in
                    try await db.update("admin_user").set("totp_secret", to: SQLBind(secret)).where("login", .equal, "root")
                        .run()
                }
                let outcome = await c.logIn(login: "root", password: "admin-password-1", totp: nil, clientIP: "192.0.2.1")
                guard case .invalidCredentials = outcome else {
                    Issue.record("secret \(secret ?? "NULL"): \(outcome)")
                    continue
                }
            }
        }
    }
}
