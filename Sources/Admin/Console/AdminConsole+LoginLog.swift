import Core
import Directory
import SQLKit

/// Which login-log rows `AdminConsole.loginLog` returns, newest first.
public struct LoginLogFilter: Sendable {
    public var login: String?
    public var ip: String?
    public var protocolName: String?
    public var onlyFailures: Bool
    public var cursor: String?
    public var limit: Int
    public init(
        login: String? = nil, ip: String? = nil, protocolName: String? = nil, onlyFailures: Bool = false,
        cursor: String? = nil, limit: Int = 50
    ) {
        (self.login, self.ip, self.protocolName, self.onlyFailures, self.cursor, self.limit) =
            (login, ip, protocolName, onlyFailures, cursor, limit)
    }
}

extension AdminConsole {
    /// The login log (every protocol's attempts, the console's as `web`), newest first, one page
    /// at a time (keyset on `id`). Anyone but a superadmin sees only the rows of existing mail
    /// accounts in their domains (a helpdesk without domains: of every mail account).
    public func loginLog(as principal: Principal, _ filter: LoginLogFilter) async throws -> Page<LoginEvent> {
        let login = filter.login?.lowercased()
        if let login, login.contains("@") {
            try principal.require(.viewLoginLog, in: Principal.domain(of: login))
        } else {
            try principal.require(.viewLoginLog)
        }
        let scope = principal.domainScope
        if let scope, scope.isEmpty { return Page(items: [], next: nil) }
        let limit = PageCursor.limit(filter.limit)
        let after = try filter.cursor.map { cursor throws(AdminError) in try PageCursor.decodeID(cursor) }
        let rows = try await database.withConnection { db in
            var sql: SQLQueryString =
                "SELECT id, account_id, login, ip, client_key, protocol, success, reason, created_at FROM login_event WHERE 1 = 1"
            if let login { sql += " AND login = \(bind: login)" }
            if let ip = filter.ip { sql += " AND ip = \(bind: ip)" }
            if let name = filter.protocolName { sql += " AND protocol = \(bind: name)" }
            if filter.onlyFailures { sql += " AND success = \(bind: false)" }
            if let after { sql += " AND id < \(bind: after)" }
            if principal.role != .superadmin {
                // Only the rows of mail accounts in scope: never administrators' logins (nor
                // guesses at addresses that are no account).
                sql += " AND EXISTS (SELECT 1 FROM account a JOIN domain d ON d.id = a.domain_id"
                sql += " WHERE a.address_key = login_event.login"
                if let scope { sql += " AND d.name IN (\(binds: scope.sorted()))" }
                sql += ")"
            }
            sql += " ORDER BY id DESC LIMIT \(literal: limit + 1)"
            return try await db.raw(sql).all().map { row in
                (
                    id: try row.decode(column: "id", as: Int64.self),
                    event: LoginEvent(
                        accountID: try row.decode(column: "account_id", as: Int64?.self),
                        login: try row.decode(column: "login", as: String.self),
                        ip: try row.decode(column: "ip", as: String.self),
                        clientKey: try row.decode(column: "client_key", as: String?.self),
                        protocolName: try row.decode(column: "protocol", as: String.self),
                        success: try row.decode(column: "success", as: Bool.self),
                        reason: try row.decode(column: "reason", as: String?.self),
                        createdAt: try row.decode(column: "created_at", as: Int64.self))
                )
            }
        }
        let shown = rows.prefix(limit)
        return Page(
            items: shown.map(\.event), next: rows.count > limit ? shown.last.map { PageCursor.encode(String($0.id)) } : nil)
    }

    /// Lifts the login throttle of `login` (an account's address, or an administrator's login
    /// for a superadmin; anyone else names an existing mail account in their scope):
    /// this process's throttle forgets the login's failures, and its failures still in the window
    /// are marked lifted in the login log, so no node's shared counts refuse it any more. The
    /// rows stay in the log as failures; the audit row names who lifted it.
    public func liftThrottle(as principal: Principal, login: String) async throws {
        let login = login.lowercased()
        if principal.role == .superadmin {
            try principal.require(.liftThrottle)
        } else {
            // Anyone else: an existing mail account in their scope, never an administrator's login.
            guard login.contains("@") else { throw AccessDenied(.liftThrottle, domain: nil) }
            _ = try await scopedAccount(principal, .liftThrottle, login)
        }
        let policy = authenticator.throttle.policy
        let at = now
        let since = at - max(policy.window.components.seconds, policy.lockout.components.seconds)
        let marked = try await authenticator.loginLog.lift(login: login, since: since, at: at)
        await authenticator.throttle.forget(login: login)
        await audit(principal, "login.lift-throttle", target: login, after: ["failures_lifted": marked])
    }

    /// Whether the login's own failures (every client's, every node's) reach the lockout now;
    /// a client trusted for the login may still get in (`LoginThrottle`).
    func isThrottled(login: String) async throws -> Bool {
        let policy = authenticator.throttle.policy
        let since = now - max(policy.window.components.seconds, policy.lockout.components.seconds)
        let failures = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM login_event
                WHERE login = \(bind: login.lowercased()) AND created_at >= \(bind: since) AND NOT success
                  AND reason IN (\(binds: LoginReason.counted)) AND lifted_at IS NULL
                """
            ).first()?.decode(column: "n", as: Int64.self) ?? 0
        }
        return failures >= policy.lockoutAfter
    }
}
