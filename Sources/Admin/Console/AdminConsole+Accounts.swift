import Core
import Directory
import Foundation
import NIOPosix
import SQLKit
import Store

extension AdminConsole {
    /// Shortest password accepted when one is set in clear.
    public static let minimumPasswordLength = 8
    /// Longest search text and display name accepted.
    static let maxTextLength = 256

    /// Accounts by address, filtered and one page at a time. The cursor is the last address key
    /// shown (keyset paging on the unique `address_key` index, never OFFSET: the 500th page costs
    /// what the first does). A scoped principal sees only its domains' accounts.
    public func accounts(as principal: Principal, _ query: AccountQuery) async throws -> Page<AccountSummary> {
        try principal.require(.viewAccounts, in: query.domain?.lowercased())
        let limit = PageCursor.limit(query.limit)
        let after = try query.cursor.map { cursor throws(AdminError) in try PageCursor.decode(cursor) } ?? ""
        let search = query.search?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard search.count <= Self.maxTextLength else { throw AdminError.invalid("search text too long") }
        let scope = principal.domainScope
        if let scope, scope.isEmpty { return Page(items: [], next: nil) }
        let rows = try await database.withConnection { db in
            var sql: SQLQueryString = """
                SELECT a.address_key, a.address, a.display_name, a.quota_bytes, a.enabled, a.created_at, a.last_login_at,
                  COALESCE(s.used_bytes, 0) AS used_bytes
                FROM account a JOIN domain d ON d.id = a.domain_id LEFT JOIN store_account s ON s.account_id = a.id
                WHERE a.address_key > \(bind: after)
                """
            if let domain = query.domain { sql += " AND d.name = \(bind: domain.lowercased())" }
            if let scope { sql += " AND d.name IN (\(binds: scope.sorted()))" }
            if !search.isEmpty {
                let pattern = SQLLike.containing(search)
                sql +=
                    " AND (a.address_key LIKE \(bind: pattern) ESCAPE '!' OR LOWER(a.display_name) LIKE \(bind: pattern) ESCAPE '!')"
            }
            sql += " ORDER BY a.address_key LIMIT \(literal: limit + 1)"
            return try await db.raw(sql).all().map { row in
                (
                    key: try row.decode(column: "address_key", as: String.self),
                    summary: AccountSummary(
                        address: try row.decode(column: "address", as: String.self),
                        displayName: try row.decode(column: "display_name", as: String.self),
                        quotaBytes: try row.decode(column: "quota_bytes", as: Int64.self),
                        usedBytes: try row.decode(column: "used_bytes", as: Int64.self),
                        enabled: try row.decode(column: "enabled", as: Bool.self),
                        createdAt: try row.decode(column: "created_at", as: Int64.self),
                        lastLoginAt: try row.decode(column: "last_login_at", as: Int64?.self))
                )
            }
        }
        let shown = rows.prefix(limit)
        return Page(items: shown.map(\.summary), next: rows.count > limit ? shown.last.map { PageCursor.encode($0.key) } : nil)
    }

    /// One account with its usage, recent logins and whether the throttle refuses it now.
    public func account(as principal: Principal, address: String) async throws -> AccountDetail {
        let account = try await scopedAccount(principal, .viewAccounts, address)
        return try await detail(account, logins: principal.may(.viewLoginLog, in: try Self.domain(of: address)))
    }

    func detail(_ account: Account, logins: Bool) async throws -> AccountDetail {
        let login = account.address.lowercased()
        let recent = logins ? try await authenticator.loginLog.recent(login: login, limit: 20) : []
        return AccountDetail(
            account: try await summary(account), recentLogins: recent, throttled: try await isThrottled(login: login))
    }

    func summary(_ account: Account) async throws -> AccountSummary {
        let used = try await database.withConnection { db in
            try await db.select().column("used_bytes").from("store_account").where("account_id", .equal, account.id)
                .first(decodingColumn: "used_bytes", as: Int64.self)
        }
        return AccountSummary(
            address: account.address, displayName: account.displayName, quotaBytes: account.quotaBytes, usedBytes: used ?? 0,
            enabled: account.enabled, createdAt: account.createdAt, lastLoginAt: account.lastLoginAt)
    }

    /// Creates an account with its mailboxes; `password` is hashed here.
    public func createAccount(
        as principal: Principal, address: String, password: String, displayName: String, quotaBytes: Int64
    ) async throws -> AccountSummary {
        try principal.require(.createAccounts, in: try Self.domain(of: address))
        let stored = try await Self.hash(password)
        return try await createAccount(
            as: principal, address: address, hash: stored, displayName: displayName, quotaBytes: quotaBytes)
    }

    /// Creates an account with an already-hashed password (migrations keep users' hashes).
    public func createAccount(
        as principal: Principal, address: String, hash: StoredPassword, displayName: String, quotaBytes: Int64
    ) async throws -> AccountSummary {
        try principal.require(.createAccounts, in: try Self.domain(of: address))
        try checkQuota(principal, quotaBytes)
        guard displayName.count <= Self.maxTextLength else { throw AdminError.invalid("display name too long") }
        let account = try await Self.translate {
            try await AccountProvisioning.add(
                address, password: hash, displayName: displayName, quotaBytes: quotaBytes, directory: directory, store: store)
        }
        let summary = try await summary(account)
        await audit(principal, "account.create", target: account.address.lowercased(), after: summary)
        return summary
    }

    /// Deletes an account with its mailboxes and mail.
    public func deleteAccount(as principal: Principal, address: String) async throws {
        let account = try await scopedAccount(principal, .deleteAccounts, address)
        let before = try await summary(account)
        try await Self.translate { try await AccountProvisioning.delete(address, directory: directory, store: store) }
        try await endSessions(accountID: account.id)
        await audit(principal, "account.delete", target: account.address.lowercased(), before: before)
    }

    /// Sets an account's password (its sessions end on every node, its console sessions too).
    public func setPassword(as principal: Principal, address: String, password: String) async throws {
        _ = try await scopedAccount(principal, .resetPasswords, address)
        try await setPassword(as: principal, address: address, hash: try await Self.hash(password))
    }

    /// Sets an account's password hash as is.
    public func setPassword(as principal: Principal, address: String, hash: StoredPassword) async throws {
        let account = try await scopedAccount(principal, .resetPasswords, address)
        try await Self.translate { try await directory.setPassword(address, to: hash) }
        try await endSessions(accountID: account.id)
        // The hash is never audited: the row says that it changed.
        await audit(principal, "account.password", target: account.address.lowercased())
    }

    public func setEnabled(as principal: Principal, address: String, enabled: Bool) async throws {
        let account = try await scopedAccount(principal, .enableAccounts, address)
        try await Self.translate { try await directory.setEnabled(address, enabled) }
        if !enabled { try await endSessions(accountID: account.id) }
        await audit(
            principal, enabled ? "account.enable" : "account.disable", target: account.address.lowercased(),
            before: ["enabled": account.enabled], after: ["enabled": enabled])
    }

    /// Sets an account's quota (0 = unlimited). A helpdesk may not go above `[admin]
    /// helpdesk_quota_ceiling` (nor set unlimited).
    public func setQuota(as principal: Principal, address: String, bytes: Int64) async throws {
        let account = try await scopedAccount(principal, .setQuotas, address)
        try checkQuota(principal, bytes)
        try await Self.translate { try await directory.setQuota(address, bytes: bytes) }
        await audit(
            principal, "account.quota", target: account.address.lowercased(), before: ["quota_bytes": account.quotaBytes],
            after: ["quota_bytes": bytes])
    }

    public func setDisplayName(as principal: Principal, address: String, displayName: String) async throws {
        let account = try await scopedAccount(principal, .createAccounts, address)
        guard displayName.count <= Self.maxTextLength else { throw AdminError.invalid("display name too long") }
        try await Self.translate { try await directory.setDisplayName(address, displayName) }
        await audit(
            principal, "account.display-name", target: account.address.lowercased(),
            before: ["display_name": account.displayName], after: ["display_name": displayName])
    }

    /// Deletes the console (self-service) sessions of an account, but the one whose cookie value
    /// is `keeping` (the caller's own, after changing their own password).
    func endSessions(accountID: Int64, keeping token: String? = nil) async throws {
        try await database.withConnection { db in
            var query = db.delete(from: "admin_session").where("account_id", .equal, accountID)
            if let token { query = query.where("token_hash", .notEqual, SecretToken.hash(token)) }
            try await query.run()
        }
    }

    /// The helpdesk's quota ceiling; negative quotas are invalid for everyone.
    func checkQuota(_ principal: Principal, _ bytes: Int64) throws {
        guard bytes >= 0 else { throw AdminError.invalid("a quota is 0 (unlimited) or a positive number of bytes") }
        guard principal.role == .helpdesk else { return }
        let ceiling = settings.helpdeskQuotaCeiling.bytes
        guard bytes > 0, bytes <= ceiling else {
            throw AccessDenied(.setQuotas, domain: nil)
        }
    }

    /// Hashes a new password given in clear, refusing short ones.
    static func hash(_ password: String) async throws -> StoredPassword {
        try checkNewPassword(password)
        // A deliberately slow hash: on the blocking pool, never on an event loop.
        return try await NIOThreadPool.singleton.runIfActive { try PasswordHasher.hash(password) }
    }

    /// The rules every new password meets, whoever stores it (the database or a directory).
    static func checkNewPassword(_ password: String) throws {
        guard password.count >= minimumPasswordLength else {
            throw AdminError.invalid("password refused: shorter than \(minimumPasswordLength) characters")
        }
        guard password.utf8.count <= 1024 else { throw AdminError.invalid("password refused: longer than 1024 bytes") }
    }
}
