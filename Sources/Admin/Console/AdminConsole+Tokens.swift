import Core
import Foundation
import SQLKit

extension AdminConsole {
    /// The prefix of API tokens (so secret scanners and people recognise them).
    public static let tokenPrefix = "posta_"

    /// The principal behind an API bearer token (its administrator, enabled), or nil.
    public func principal(apiToken: String, clientIP: String) async throws -> Principal? {
        guard apiToken.hasPrefix(Self.tokenPrefix), apiToken.utf8.count <= SecretToken.maxLength else { return nil }
        let hash = SecretToken.hash(apiToken)
        let at = now
        guard
            let row = try await database.withConnection({ db in
                try await db.select().columns("id", "admin_id", "name").from("admin_token").where(
                    "token_hash", .equal, hash
                ).first()
            })
        else { return nil }
        let adminID = try row.decode(column: "admin_id", as: Int64.self)
        guard let admin = try await loadAdministrators(login: nil, id: adminID).first, admin.enabled else { return nil }
        let id = try row.decode(column: "id", as: Int64.self)
        try await database.withConnection { db in
            try await db.update("admin_token").set("last_used_at", to: SQLBind(at)).where("id", .equal, id).run()
        }
        let name = try row.decode(column: "name", as: String.self)
        return Principal(.administrator(admin), channel: .api, clientIP: clientIP, credential: "token:\(id) \(name)")
    }

    /// Creates a token for `admin` (superadmin, or the administrator themselves); the plain
    /// token is returned once and only its hash is kept. Not for oneself over the API.
    public func addToken(as principal: Principal, admin: String, name: String) async throws -> (
        token: String, record: APIToken
    ) {
        let owner = try await requireSelfOrManager(principal, admin, credential: true)
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw AdminError.invalid("a token name is 1 to 100 characters") }
        let token = SecretToken.make(prefix: Self.tokenPrefix)
        let at = now
        let id = try await database.withConnection { db in
            try await db.insert(into: "admin_token").columns("admin_id", "token_hash", "name", "created_at")
                .values(SQLBind(owner.id), SQLBind(SecretToken.hash(token)), SQLBind(name), SQLBind(at))
                .returning("id").first(decodingColumn: "id", as: Int64.self)
        }
        let record = APIToken(id: id ?? 0, admin: owner.login, name: name, createdAt: at, lastUsedAt: nil)
        await audit(principal, "token.add", target: "token:\(record.id)", after: record)
        return (token, record)
    }

    /// Tokens of one administrator, or of all (superadmin); an administrator sees their own.
    public func tokens(as principal: Principal, admin: String?) async throws -> [APIToken] {
        var wanted: Int64?
        if let admin {
            wanted = try await requireSelfOrManager(principal, admin).id
        } else {
            try principal.requireSiteWide(.manageAdmins)
        }
        let owner = wanted
        return try await database.withConnection { db in
            var sql: SQLQueryString = """
                SELECT t.id, a.login, t.name, t.created_at, t.last_used_at FROM admin_token t
                JOIN admin_user a ON a.id = t.admin_id
                """
            if let owner { sql += " WHERE t.admin_id = \(bind: owner)" }
            sql += " ORDER BY t.id"
            return try await db.raw(sql).all().map(Self.apiToken(from:))
        }
    }

    /// Revokes a token (superadmin, or its administrator).
    public func deleteToken(as principal: Principal, id: Int64) async throws {
        guard let record = try await tokenRecord(id) else { throw AdminError.notFound("token \(id)") }
        _ = try await requireSelfOrManager(principal, record.admin)
        try await database.withConnection { db in try await db.delete(from: "admin_token").where("id", .equal, id).run() }
        await audit(principal, "token.delete", target: "token:\(id)", before: record)
    }

    private func tokenRecord(_ id: Int64) async throws -> APIToken? {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT t.id, a.login, t.name, t.created_at, t.last_used_at FROM admin_token t
                JOIN admin_user a ON a.id = t.admin_id WHERE t.id = \(bind: id)
                """
            ).first().map(Self.apiToken(from:))
        }
    }

    private static func apiToken(from row: any SQLRow) throws -> APIToken {
        APIToken(
            id: try row.decode(column: "id", as: Int64.self), admin: try row.decode(column: "login", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self))
    }

    // MARK: TOTP

    /// Gives an administrator a new TOTP secret and requires codes from their next login on
    /// (RFC 6238). Returns the base32 secret and the `otpauth://` URI to show once.
    public func enableTOTP(as principal: Principal, login: String, issuer: String = "Posta") async throws -> (
        secret: String, uri: String
    ) {
        let admin = try await requireSelfOrManager(principal, login, credential: true)
        let totp = TOTP.random()
        let secret = Base32.encode(totp.secret)
        try await database.withConnection { db in
            try await db.update("admin_user").set("totp_secret", to: SQLBind(secret)).set("totp_enabled", to: SQLBind(true))
                .set("totp_last_step", to: SQLBind(Int64(0))).where("id", .equal, admin.id).run()
        }
        await audit(
            principal, "admin.totp.enable", target: admin.login, before: ["totp": admin.totpEnabled], after: ["totp": true])
        return (secret, totp.uri(issuer: issuer, account: admin.login))
    }

    /// Stops asking an administrator for TOTP codes and forgets the secret (not for oneself
    /// over the API).
    public func disableTOTP(as principal: Principal, login: String) async throws {
        let admin = try await requireSelfOrManager(principal, login, credential: true)
        try await database.withConnection { db in
            try await db.update("admin_user").set("totp_secret", to: SQLBind(String?.none)).set(
                "totp_enabled", to: SQLBind(false)
            )
            .where("id", .equal, admin.id).run()
        }
        await audit(
            principal, "admin.totp.disable", target: admin.login, before: ["totp": admin.totpEnabled], after: ["totp": false])
    }
}
