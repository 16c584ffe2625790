import Core
import Directory
import SQLKit

extension AdminConsole {
    /// Every administrator, by login (superadmin).
    public func administrators(as principal: Principal) async throws -> [Administrator] {
        try principal.requireSiteWide(.manageAdmins)
        return try await loadAdministrators(login: nil)
    }

    /// Adds an administrator. A domain admin needs at least one domain; a superadmin has none.
    public func addAdministrator(
        as principal: Principal, login: String, password: String, role: AdminRole, domains: [String],
        displayName: String
    ) async throws -> Administrator {
        try principal.requireSiteWide(.manageAdmins)
        let login = try Self.validLogin(login)
        guard displayName.count <= Self.maxTextLength else { throw AdminError.invalid("display name too long") }
        let domains = try await validDomains(role: role, domains)
        let stored = try await Self.hash(password)
        let at = now
        try await database.transaction { db in
            let exists = try await db.select().column("id").from("admin_user").where("login", .equal, login).first() != nil
            guard !exists else { throw AdminError.conflict("administrator '\(login)' already exists") }
            let id = try await db.insert(into: "admin_user")
                .columns("login", "display_name", "role", "password", "enabled", "created_at")
                .values(
                    SQLBind(login), SQLBind(displayName), SQLBind(role.rawValue), SQLBind(stored.stored), SQLBind(true),
                    SQLBind(at)
                )
                .returning("id").first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw AdminError.conflict("no id returned") }
            for domain in domains {
                try await db.insert(into: "admin_domain").columns("admin_id", "domain").values(SQLBind(id), SQLBind(domain)).run()
            }
        }
        let admin = try await requireAdministrator(login)
        await audit(principal, "admin.add", target: login, after: admin)
        return admin
    }

    /// Deletes an administrator with their sessions and tokens. The last enabled superadmin
    /// can only be deleted from the command line.
    public func deleteAdministrator(as principal: Principal, login: String) async throws {
        try principal.requireSiteWide(.manageAdmins)
        let admin = try await requireAdministrator(login)
        try await database.transaction { db in
            try await keepAnotherSuperadmin(principal, admin, db)
            for table in ["admin_session", "admin_token", "admin_domain"] {
                try await db.delete(from: table).where("admin_id", .equal, admin.id).run()
            }
            try await db.delete(from: "admin_user").where("id", .equal, admin.id).run()
        }
        await audit(principal, "admin.delete", target: admin.login, before: admin)
    }

    /// Sets an administrator's password (superadmin, or the administrator themselves, not over
    /// the API) and ends their console sessions; set by someone else, their API tokens go too.
    public func setAdministratorPassword(as principal: Principal, login: String, password: String) async throws {
        let admin = try await requireSelfOrManager(principal, login, credential: true)
        let stored = try await Self.hash(password)
        let bySomeoneElse = !Self.isSelf(principal, admin.login)
        try await database.transaction { db in
            try await db.update("admin_user").set("password", to: SQLBind(stored.stored)).where("id", .equal, admin.id).run()
            try await db.delete(from: "admin_session").where("admin_id", .equal, admin.id).run()
            if bySomeoneElse { try await db.delete(from: "admin_token").where("admin_id", .equal, admin.id).run() }
        }
        await audit(principal, "admin.password", target: admin.login)
    }

    /// Changes an administrator's role and domains. The last enabled superadmin keeps the role
    /// (but from the command line).
    public func setAdministratorRole(as principal: Principal, login: String, role: AdminRole, domains: [String])
        async throws
    {
        try principal.requireSiteWide(.manageAdmins)
        let before = try await requireAdministrator(login)
        let domains = try await validDomains(role: role, domains)
        try await database.transaction { db in
            if role != .superadmin { try await keepAnotherSuperadmin(principal, before, db) }
            try await db.update("admin_user").set("role", to: SQLBind(role.rawValue)).where("id", .equal, before.id).run()
            try await db.delete(from: "admin_domain").where("admin_id", .equal, before.id).run()
            for domain in domains {
                try await db.insert(into: "admin_domain").columns("admin_id", "domain").values(
                    SQLBind(before.id), SQLBind(domain)
                )
                .run()
            }
        }
        await audit(principal, "admin.role", target: before.login, before: before, after: try await requireAdministrator(login))
    }

    /// Enables or disables an administrator; disabling ends their sessions and revokes their API
    /// tokens. The last enabled superadmin stays enabled (but from the command line).
    public func setAdministratorEnabled(as principal: Principal, login: String, enabled: Bool) async throws {
        try principal.requireSiteWide(.manageAdmins)
        let before = try await requireAdministrator(login)
        try await database.transaction { db in
            if !enabled { try await keepAnotherSuperadmin(principal, before, db) }
            try await db.update("admin_user").set("enabled", to: SQLBind(enabled)).where("id", .equal, before.id).run()
            if !enabled {
                for table in ["admin_session", "admin_token"] {
                    try await db.delete(from: table).where("admin_id", .equal, before.id).run()
                }
            }
        }
        await audit(
            principal, enabled ? "admin.enable" : "admin.disable", target: before.login, before: before,
            after: try await requireAdministrator(login))
    }

    /// Whether any administrator exists (the first start prints how to create one).
    public func hasAdministrators() async throws -> Bool {
        try await Self.hasAdministrators(database)
    }

    /// Whether `database` holds any administrator (for `posta serve`, before a console exists).
    public static func hasAdministrators(_ database: Database) async throws -> Bool {
        try await database.withConnection { db in try await db.select().column("id").from("admin_user").limit(1).first() != nil }
    }

    // MARK: Shared

    /// A login is 1...64 characters of lower-case letters, digits and `.-_`. No `@`: a login
    /// with a domain would pass for a mail account in the login log and the throttle.
    static func validLogin(_ login: String) throws(AdminError) -> String {
        let login = login.lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
        guard !login.isEmpty, login.count <= 64, login.allSatisfy(allowed.contains) else {
            throw .invalid("a login is 1 to 64 letters, digits, '.', '-' or '_'")
        }
        return login
    }

    /// The domains of a role, checked to exist; a domain admin needs one, a superadmin takes none.
    func validDomains(role: AdminRole, _ domains: [String]) async throws -> [String] {
        let domains = Array(Set(domains.map { $0.lowercased() })).sorted()
        switch role {
        case .superadmin:
            guard domains.isEmpty else { throw AdminError.invalid("a superadmin acts on every domain: name none") }
        case .domainAdmin:
            guard !domains.isEmpty else { throw AdminError.invalid("a domain admin needs at least one domain") }
        case .helpdesk: break
        }
        for domain in domains {
            guard try await directory.isLocalDomain(domain) else { throw AdminError.notFound("domain \(domain)") }
        }
        return domains
    }

    /// Refuses, inside `db`'s transaction, to take the last enabled superadmin away (delete,
    /// demote, disable) when an administrator asks; the CLI may (root can recover either way).
    func keepAnotherSuperadmin(_ principal: Principal, _ admin: Administrator, _ db: any SQLDatabase) async throws {
        guard admin.role == .superadmin, case .administrator = principal.identity else { return }
        let others =
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM admin_user
                WHERE role = \(bind: AdminRole.superadmin.rawValue) AND enabled = \(bind: true) AND id <> \(bind: admin.id)
                """
            ).first()?.decode(column: "n", as: Int64.self) ?? 0
        guard others > 0 else { throw AdminError.conflict("'\(admin.login)' is the last superadmin") }
    }

    static func isSelf(_ principal: Principal, _ login: String) -> Bool {
        if case .administrator(let me) = principal.identity, me.login == login.lowercased() { return true }
        return false
    }

    /// The administrator `login` when the principal is them or manages administrators. With
    /// `credential` (their password, tokens, second factor), acting on oneself is refused over
    /// the API: a stolen token must not turn into the password or more tokens.
    func requireSelfOrManager(_ principal: Principal, _ login: String, credential: Bool = false) async throws
        -> Administrator
    {
        if Self.isSelf(principal, login) {
            if credential, principal.channel == .api { throw AccessDenied(.manageAdmins, domain: nil) }
            return try await requireAdministrator(login)
        }
        try principal.requireSiteWide(.manageAdmins)
        return try await requireAdministrator(login)
    }

    func requireAdministrator(_ login: String) async throws -> Administrator {
        guard let admin = try await loadAdministrators(login: login.lowercased()).first else {
            throw AdminError.notFound("administrator \(login.lowercased())")
        }
        return admin
    }

    /// Administrators (one login, or all) with their domains.
    func loadAdministrators(login: String?, id: Int64? = nil) async throws -> [Administrator] {
        try await database.withConnection { db in
            var query = db.select()
                .columns("id", "login", "display_name", "role", "totp_enabled", "enabled", "created_at", "last_login_at")
                .from("admin_user")
            if let login { query = query.where("login", .equal, login) }
            if let id { query = query.where("id", .equal, id) }
            let rows = try await query.orderBy("login").all()
            var domainQuery = db.select().columns("admin_id", "domain").from("admin_domain")
            if rows.count == 1 {
                domainQuery = domainQuery.where("admin_id", .equal, try rows[0].decode(column: "id", as: Int64.self))
            }
            var domains: [Int64: [String]] = [:]
            for row in try await domainQuery.orderBy("domain").all() {
                domains[try row.decode(column: "admin_id", as: Int64.self), default: []].append(
                    try row.decode(column: "domain", as: String.self))
            }
            return try rows.map { row in
                let id = try row.decode(column: "id", as: Int64.self)
                let name = try row.decode(column: "role", as: String.self)
                // An unknown role grants nothing rather than falling back to one.
                guard let role = AdminRole(rawValue: name) else { throw AdminError.invalid("unknown role '\(name)'") }
                return Administrator(
                    id: id, login: try row.decode(column: "login", as: String.self),
                    displayName: try row.decode(column: "display_name", as: String.self),
                    role: role, domains: domains[id] ?? [],
                    totpEnabled: try row.decode(column: "totp_enabled", as: Bool.self),
                    enabled: try row.decode(column: "enabled", as: Bool.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self),
                    lastLoginAt: try row.decode(column: "last_login_at", as: Int64?.self))
            }
        }
    }
}
