import Core
import SQLKit

/// An account whose open sessions must end, as `session_revocation` records it: sessions that
/// authenticated under a generation lower than `generation` are closed.
public struct SessionRevocation: Sendable, Hashable {
    public enum Reason: String, Sendable {
        case disabled
        case passwordChanged = "password-changed"
        case deleted
    }

    public var accountID: Int64
    public var generation: Int64
    /// Nil for a reason this version does not know (written by a newer node).
    public var reason: Reason?
    /// Seconds since 1970.
    public var createdAt: Int64

    public init(accountID: Int64, generation: Int64, reason: Reason?, createdAt: Int64) {
        self.accountID = accountID
        self.generation = generation
        self.reason = reason
        self.createdAt = createdAt
    }

    /// The PostgreSQL `NOTIFY` channel that wakes every node's watcher at commit.
    public static let channel = "posta_session_revocation"
}

extension Directory {
    /// Raises the account's session generation and records the revocation, inside the caller's
    /// transaction (the admin command runs in a process of its own: the database is the only way to
    /// reach the servers). On PostgreSQL, `pg_notify` inside the transaction is delivered at commit.
    func revokeSessions(_ account: Account, reason: SessionRevocation.Reason, in db: any SQLDatabase) async throws {
        let generation = account.sessionGeneration + 1
        try await db.update("account").set("session_generation", to: SQLBind(generation)).where("id", .equal, account.id).run()
        try await db.insert(into: "session_revocation").columns("account_id", "generation", "reason", "created_at")
            .values(SQLBind(account.id), SQLBind(generation), SQLBind(reason.rawValue), SQLBind(UnixTime.now())).run()
        if database.dialect == .postgres {
            try await db.raw("SELECT pg_notify(\(bind: SessionRevocation.channel), \(bind: "\(account.id):\(generation)"))").run()
        }
    }

    /// Revocations recorded at or after `since` (seconds since 1970), oldest first. Callers ask for
    /// a period that overlaps their previous one: applying a revocation twice changes nothing.
    public func revocations(since: Int64) async throws -> [SessionRevocation] {
        try await database.withConnection { db in
            try await db.select().columns("account_id", "generation", "reason", "created_at").from("session_revocation")
                .where("created_at", .greaterThanOrEqual, since).orderBy("id").all().map { row in
                    SessionRevocation(
                        accountID: try row.decode(column: "account_id", as: Int64.self),
                        generation: try row.decode(column: "generation", as: Int64.self),
                        reason: SessionRevocation.Reason(rawValue: try row.decode(column: "reason", as: String.self)),
                        createdAt: try row.decode(column: "created_at", as: Int64.self))
                }
        }
    }

    /// Deletes revocations older than `before` (every node has long applied them).
    @discardableResult
    public func purgeRevocations(before: Int64) async throws -> Int {
        try await database.withConnection { db in
            try await db.delete(from: "session_revocation").where("created_at", .lessThan, before).returning("id").all().count
        }
    }
}
