import Core
import SQLKit

/// One authentication attempt, as recorded in `login_event`.
public struct LoginEvent: Sendable, Hashable {
    public var accountID: Int64?
    /// The login as the client sent it (lower-cased).
    public var login: String
    /// The client's IP address.
    public var ip: String
    /// `pop3`, `pop3s`, `imap`, `submission`…
    public var protocolName: String
    public var success: Bool
    /// Why it failed (`wrong-password`, `unknown-user`, `disabled`, `throttled`, `in-use`…); nil on success.
    public var reason: String?
    /// Seconds since 1970.
    public var createdAt: Int64

    public init(
        accountID: Int64?, login: String, ip: String, protocolName: String, success: Bool, reason: String?,
        createdAt: Int64 = UnixTime.now()
    ) {
        self.accountID = accountID
        self.login = login
        self.ip = ip
        self.protocolName = protocolName
        self.success = success
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// Records every login (who, from where, over what, when, and whether it worked) in the site
/// database, so every node's logins are in one place. Protocol-neutral.
public struct LoginLog: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func record(_ event: LoginEvent) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO login_event (account_id, login, ip, protocol, success, reason, created_at)
                VALUES (\(bind: event.accountID), \(bind: event.login), \(bind: event.ip), \(bind: event.protocolName),
                        \(bind: event.success), \(bind: event.reason), \(bind: event.createdAt))
                """).run()
        }
    }

    /// Failed password checks (and attempts refused as throttled) recorded by any node since `since`
    /// (seconds since 1970): from `ip`, and for `login` after its last success. The cluster-wide
    /// half of the login throttle; refusals for other reasons (`in-use`) do not count.
    public func failures(ip: String, login: String, since: Int64) async throws -> (ip: Int, login: Int) {
        let reasons = SQLList([LoginFailure.wrongPassword.rawValue, LoginFailure.unknownAccount.rawValue,
                               LoginFailure.disabled.rawValue, "throttled"].map { SQLBind($0) })
        return try await database.withConnection { db in
            // Every part is bounded by the window, so the cost does not grow with the log; the
            // partial indexes of migration directory.login.2 hold only failures.
            let row = try await db.raw("""
                SELECT
                  (SELECT COUNT(*) FROM login_event
                   WHERE ip = \(bind: ip) AND created_at >= \(bind: since) AND NOT success AND reason IN (\(reasons))) AS ip_failures,
                  (SELECT COUNT(*) FROM login_event
                   WHERE login = \(bind: login.lowercased()) AND created_at >= \(bind: since) AND NOT success
                     AND reason IN (\(reasons))
                     AND id > COALESCE((SELECT MAX(id) FROM login_event
                                        WHERE login = \(bind: login.lowercased()) AND created_at >= \(bind: since)
                                          AND success = \(bind: true)), 0)) AS login_failures
                """).first()
            guard let row else { return (0, 0) }
            return (Int(try row.decode(column: "ip_failures", as: Int64.self)),
                    Int(try row.decode(column: "login_failures", as: Int64.self)))
        }
    }

    /// The most recent events for `login` (lower-cased), newest first.
    public func recent(login: String, limit: Int = 50) async throws -> [LoginEvent] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT account_id, login, ip, protocol, success, reason, created_at FROM login_event
                WHERE login = \(bind: login.lowercased()) ORDER BY id DESC LIMIT \(literal: limit)
                """).all().map { row in
                LoginEvent(
                    accountID: try row.decodeNil(column: "account_id") ? nil : try row.decode(column: "account_id", as: Int64.self),
                    login: try row.decode(column: "login", as: String.self), ip: try row.decode(column: "ip", as: String.self),
                    protocolName: try row.decode(column: "protocol", as: String.self),
                    success: try row.decode(column: "success", as: Bool.self),
                    reason: try row.decodeNil(column: "reason") ? nil : try row.decode(column: "reason", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }
}
