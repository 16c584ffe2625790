import Core
import SQLKit

/// Read-only views of the engine's shared state, for `posta policy` and monitoring.
public struct PolicyState: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    public struct QuotaCounter: Sendable, Hashable, Codable {
        public var ruleID: Int64
        public var key: String
        public var windowStart: Int64
        public var messages: Int64
        public var bytes: Int64
    }

    public struct GreylistEntry: Sendable, Hashable, Codable {
        public var network: String
        public var sender: String
        public var recipient: String
        public var firstSeen: Int64
        public var lastSeen: Int64
        public var passed: Bool
    }

    public struct GreylistClient: Sendable, Hashable, Codable {
        public var network: String
        public var passes: Int64
        public var lastSeen: Int64
    }

    public struct AccountingTotal: Sendable, Hashable, Codable {
        public var ruleID: Int64
        public var windowStart: Int64
        public var messages: Int64
        public var bytes: Int64
    }

    /// Quota counters, newest window first.
    public func quotaCounters() async throws -> [QuotaCounter] {
        try await rows(
            "SELECT rule_id, track_key, window_start, messages, bytes FROM policy_quota_counter ORDER BY window_start DESC, rule_id, track_key"
        ) {
            QuotaCounter(
                ruleID: try $0.decode(column: "rule_id", as: Int64.self),
                key: try $0.decode(column: "track_key", as: String.self),
                windowStart: try $0.decode(column: "window_start", as: Int64.self),
                messages: try $0.decode(column: "messages", as: Int64.self), bytes: try $0.decode(column: "bytes", as: Int64.self)
            )
        }
    }

    /// Greylist triplets, most recently seen first.
    public func greylist() async throws -> [GreylistEntry] {
        try await rows(
            "SELECT network, sender, recipient, first_seen, last_seen, passed FROM policy_greylist_triplet ORDER BY last_seen DESC"
        ) {
            GreylistEntry(
                network: try $0.decode(column: "network", as: String.self),
                sender: try $0.decode(column: "sender", as: String.self),
                recipient: try $0.decode(column: "recipient", as: String.self),
                firstSeen: try $0.decode(column: "first_seen", as: Int64.self),
                lastSeen: try $0.decode(column: "last_seen", as: Int64.self),
                passed: try $0.decode(column: "passed", as: Int64.self) != 0)
        }
    }

    /// Client networks with passed triplets (auto-whitelist candidates).
    public func greylistClients() async throws -> [GreylistClient] {
        try await rows("SELECT network, passes, last_seen FROM policy_greylist_client ORDER BY network") {
            GreylistClient(
                network: try $0.decode(column: "network", as: String.self),
                passes: try $0.decode(column: "passes", as: Int64.self),
                lastSeen: try $0.decode(column: "last_seen", as: Int64.self))
        }
    }

    /// Accounting totals, newest window first.
    public func accounting() async throws -> [AccountingTotal] {
        try await rows("SELECT rule_id, window_start, messages, bytes FROM policy_accounting ORDER BY window_start DESC, rule_id")
        {
            AccountingTotal(
                ruleID: try $0.decode(column: "rule_id", as: Int64.self),
                windowStart: try $0.decode(column: "window_start", as: Int64.self),
                messages: try $0.decode(column: "messages", as: Int64.self), bytes: try $0.decode(column: "bytes", as: Int64.self)
            )
        }
    }

    private func rows<T: Sendable>(_ sql: String, _ map: @escaping @Sendable (any SQLRow) throws -> T) async throws -> [T] {
        try await database.withConnection { db in try await db.raw(SQLQueryString(sql)).all().map(map) }
    }
}
