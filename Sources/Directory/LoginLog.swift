import Core
import SQLKit

/// One authentication attempt, as recorded in `login_event`.
public struct LoginEvent: Sendable, Hashable {
    public var accountID: Int64?
    /// The login as the client sent it (lower-cased).
    public var login: String
    /// The client's IP address.
    public var ip: String
    /// What the throttle counts the client by (`ClientKey`: the address, or an IPv6 prefix).
    public var clientKey: String?
    /// `pop3`, `pop3s`, `imap`, `submission`…
    public var protocolName: String
    public var success: Bool
    /// Why it failed (`LoginReason`, or `in-use`, `store-error`…); nil on success.
    public var reason: String?
    /// Seconds since 1970.
    public var createdAt: Int64

    public init(
        accountID: Int64?, login: String, ip: String, clientKey: String? = nil, protocolName: String, success: Bool,
        reason: String?, createdAt: Int64 = UnixTime.now()
    ) {
        self.accountID = accountID
        self.login = login
        self.ip = ip
        self.clientKey = clientKey
        self.protocolName = protocolName
        self.success = success
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// The `reason` codes the login throttle writes besides `LoginFailure`'s.
public enum LoginReason {
    /// An attempt whose password check is in progress; it counts as a failure until settled, so
    /// concurrent attempts on every node see each other.
    public static let pending = "pending"
    /// Refused unchecked by the throttle: recorded, never counted as a failure.
    public static let throttled = "throttled"
    /// The directory could not be asked: not a failure.
    public static let unavailable = "unavailable"
    /// The password was right, the second factor (TOTP, RFC 6238) wrong or replayed: counted.
    public static let wrongSecondFactor = "wrong-second-factor"
    /// The password was right and the second factor not given yet: not a failure.
    public static let secondFactorRequired = "second-factor-required"
    /// The reasons the throttle counts.
    public static let counted = [
        LoginFailure.wrongPassword.rawValue, LoginFailure.unknownAccount.rawValue, LoginFailure.disabled.rawValue, pending,
        wrongSecondFactor, LoginFailure.accountLocked.rawValue,
    ]
}

/// Records every login (who, from where, over what, when, and whether it worked) in the site
/// database, so every node's logins are in one place. Protocol-neutral.
public struct LoginLog: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func record(_ event: LoginEvent) async throws {
        _ = try await database.withConnection { db in try await Self.insert(event, db) }
    }

    private static func insert(_ event: LoginEvent, _ db: any SQLDatabase) async throws -> Int64? {
        try await db.insert(into: "login_event")
            .columns("account_id", "login", "ip", "client_key", "protocol", "success", "reason", "created_at")
            .values(
                SQLBind(event.accountID), SQLBind(event.login), SQLBind(event.ip), SQLBind(event.clientKey),
                SQLBind(event.protocolName), SQLBind(event.success), SQLBind(event.reason), SQLBind(event.createdAt)
            )
            .returning("id").first(decodingColumn: "id", as: Int64.self)
    }

    /// Records `event` as `pending` (a failure until settled), then counts, as every node sees them,
    /// the failures of its client, its login, and its pair (since the pair's last success) from
    /// `since` on, this attempt not included, whether the pair succeeded from `trustedSince` on,
    /// and when the login's failures in the window were last lifted. The row is written before counting, in its own statement:
    /// two nodes checking at once each see the other's attempt.
    public func reserve(_ event: LoginEvent, since: Int64, trustedSince: Int64) async throws
        -> (id: Int64?, counts: LoginThrottle.SharedCounts)
    {
        var row = event
        (row.success, row.reason) = (false, LoginReason.pending)
        let pending = row
        let reasons = SQLList(LoginReason.counted.map { SQLBind($0) })
        let login = event.login.lowercased()
        let client = event.clientKey ?? event.ip
        return try await database.withConnection { db in
            let id = try await Self.insert(pending, db)
            // Every part is bounded by the window (or the trust period) and served by the partial
            // indexes of migrations directory.login.2 and .3, so the cost does not grow with the log.
            let row = try await db.raw(
                """
                SELECT
                  (SELECT COUNT(*) FROM login_event
                   WHERE client_key = \(bind: client) AND created_at >= \(bind: since) AND NOT success
                     AND reason IN (\(reasons)) AND lifted_at IS NULL) AS client_failures,
                  (SELECT COUNT(*) FROM login_event
                   WHERE login = \(bind: login) AND created_at >= \(bind: since) AND NOT success
                     AND reason IN (\(reasons)) AND lifted_at IS NULL) AS login_failures,
                  (SELECT COUNT(*) FROM login_event
                   WHERE login = \(bind: login) AND client_key = \(bind: client) AND created_at >= \(bind: since)
                     AND NOT success AND reason IN (\(reasons)) AND lifted_at IS NULL
                     AND id > COALESCE((SELECT MAX(id) FROM login_event
                                        WHERE login = \(bind: login) AND client_key = \(bind: client)
                                          AND created_at >= \(bind: since) AND success = \(bind: true)), 0)) AS pair_failures,
                  (SELECT MAX(created_at) FROM login_event
                   WHERE login = \(bind: login) AND client_key = \(bind: client) AND success = \(bind: true)
                     AND created_at >= \(bind: trustedSince)) AS last_success,
                  (SELECT MAX(lifted_at) FROM login_event
                   WHERE login = \(bind: login) AND created_at >= \(bind: since) AND NOT success
                     AND lifted_at IS NOT NULL) AS last_lift
                """
            ).first()
            guard let row else { return (id, .none) }
            // The pending row just written is in each count.
            let own = id == nil ? 0 : 1
            func count(_ column: String) throws -> Int { max(0, Int(try row.decode(column: column, as: Int64.self)) - own) }
            return (
                id,
                LoginThrottle.SharedCounts(
                    client: try count("client_failures"), login: try count("login_failures"), pair: try count("pair_failures"),
                    trusted: !(try row.decodeNil(column: "last_success")),
                    liftedAt: try row.decodeNil(column: "last_lift") ? nil : try row.decode(column: "last_lift", as: Int64.self))
            )
        }
    }

    /// Marks the failures of `login` (lower-cased) since `since` as lifted by an administrator at
    /// `at`: they stay in the log as failures, but `reserve`'s counts no longer include them, so
    /// the throttle stops refusing the login on every node. Attempts still in progress (pending)
    /// are not lifted: they count once they settle. Returns how many rows were marked.
    @discardableResult
    public func lift(login: String, since: Int64, at: Int64) async throws -> Int {
        try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE login_event SET lifted_at = \(bind: at)
                WHERE login = \(bind: login.lowercased()) AND created_at >= \(bind: since) AND created_at <= \(bind: at)
                  AND NOT success AND reason <> \(bind: LoginReason.pending) AND lifted_at IS NULL
                RETURNING id
                """
            ).all().count
        }
    }

    /// Gives a reserved attempt its outcome.
    public func settle(id: Int64, accountID: Int64?, success: Bool, reason: String?) async throws {
        try await database.withConnection { db in
            try await db.update("login_event")
                .set("account_id", to: SQLBind(accountID)).set("success", to: SQLBind(success)).set("reason", to: SQLBind(reason))
                .where("id", .equal, id).run()
        }
    }

    /// Deletes events older than `before` (seconds since 1970), at most `batch` rows per statement
    /// so no statement holds the table for long; returns how many went.
    public func purge(before: Int64, batch: Int = 1000) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await database.withConnection { db in
                try await db.raw(
                    """
                    DELETE FROM login_event WHERE id IN (
                      SELECT id FROM login_event WHERE created_at < \(bind: before) ORDER BY created_at LIMIT \(literal: batch))
                    RETURNING id
                    """
                ).all().count
            }
            total += deleted
            if deleted < batch { return total }
            await Task.yield()
        }
    }

    /// The most recent events for `login` (lower-cased), newest first.
    public func recent(login: String, limit: Int = 50) async throws -> [LoginEvent] {
        try await database.withConnection { db in
            try await db.select()
                .columns("account_id", "login", "ip", "client_key", "protocol", "success", "reason", "created_at")
                .from("login_event").where("login", .equal, login.lowercased()).orderBy("id", .descending).limit(limit)
                .all().map { row in
                    LoginEvent(
                        accountID: try row.decodeNil(column: "account_id")
                            ? nil : try row.decode(column: "account_id", as: Int64.self),
                        login: try row.decode(column: "login", as: String.self),
                        ip: try row.decode(column: "ip", as: String.self),
                        clientKey: try row.decodeNil(column: "client_key")
                            ? nil : try row.decode(column: "client_key", as: String.self),
                        protocolName: try row.decode(column: "protocol", as: String.self),
                        success: try row.decode(column: "success", as: Bool.self),
                        reason: try row.decodeNil(column: "reason") ? nil : try row.decode(column: "reason", as: String.self),
                        createdAt: try row.decode(column: "created_at", as: Int64.self))
                }
        }
    }
}
