import Core
import Directory
import SQLKit

/// A suspension (`abuse_suspension`).
public struct AbuseSuspension: Sendable, Hashable, Codable {
    public var accountID: Int64
    public var account: String
    public var suspendedAt: Int64
    /// The node whose evaluator suspended it.
    public var node: String
    public var score: Int
    /// The account was also disabled until its password changes.
    public var locked: Bool
    /// Queued messages the suspension holds.
    public var heldMessages: Int

    public init(
        accountID: Int64, account: String, suspendedAt: Int64, node: String, score: Int, locked: Bool, heldMessages: Int = 0
    ) {
        self.accountID = accountID
        self.account = account
        self.suspendedAt = suspendedAt
        self.node = node
        self.score = score
        self.locked = locked
        self.heldMessages = heldMessages
    }

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case suspendedAt = "suspended_at"
        case heldMessages = "held_messages"
        case account, node, score, locked
    }
}

/// One line of the audit trail (`abuse_audit`).
public struct AbuseAuditEntry: Sendable, Hashable, Codable {
    public var at: Int64
    public var node: String
    public var account: String
    public var action: String
    public var detail: String
}

/// The abuse tables (`AbuseSchema`): what the submission path records, what the evaluator reads
/// (every node's rows), suspensions, the whitelist and the audit trail. Row counts read at once
/// are bounded (`maxRows`).
public struct AbuseStore: Sendable {
    public let database: Database
    /// The most rows one read returns (sends of a window, logins, addresses).
    public static let maxRows = 20_000
    /// The most recipients recorded per message.
    public static let maxRecipients = 1000

    public init(database: Database) {
        self.database = database
    }

    // MARK: Recording

    /// Records one accepted submission with its recipients (lower-cased, at most `maxRecipients`).
    public func recordSend(
        accountID: Int64, account: String, ip: String, network: String, queueID: String, nodeID: String,
        recipients: [String], at: Int64
    ) async throws {
        let addresses = Set(recipients.prefix(Self.maxRecipients).map { String($0.lowercased().prefix(320)) })
        try await database.transaction { db in
            try await db.insert(into: "abuse_send")
                .columns("account_id", "account", "ip", "network", "recipients", "queue_id", "node_id", "created_at")
                .values(
                    SQLBind(accountID), SQLBind(account.lowercased()), SQLBind(String(ip.prefix(64))),
                    SQLBind(String(network.prefix(80))), SQLBind(recipients.count), SQLBind(queueID), SQLBind(nodeID),
                    SQLBind(at)
                ).run()
            for address in addresses.sorted() {
                try await db.insert(into: "abuse_recipient").columns("account_id", "recipient", "created_at")
                    .values(SQLBind(accountID), SQLBind(address), SQLBind(at)).run()
            }
        }
    }

    /// Records a permanent failure for each of `queueIDs` that an account submitted.
    public func recordBounces(queueIDs: [String], at: Int64) async throws {
        guard !queueIDs.isEmpty else { return }
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO abuse_bounce (account_id, queue_id, created_at)
                SELECT account_id, queue_id, \(bind: at) FROM abuse_send WHERE queue_id IN (\(SQLList(queueIDs.map { SQLBind($0) })))
                """
            ).run()
        }
    }

    // MARK: Reading for the rules

    /// Accounts with a send at or after `since`.
    public func activeAccounts(since: Int64) async throws -> [(id: Int64, account: String)] {
        try await database.snapshot { db in
            try await db.raw(
                """
                SELECT account_id, MIN(account) AS account FROM abuse_send WHERE created_at >= \(bind: since)
                GROUP BY account_id ORDER BY account_id LIMIT \(literal: Self.maxRows)
                """
            ).all().map {
                (try $0.decode(column: "account_id", as: Int64.self), try $0.decode(column: "account", as: String.self))
            }
        }
    }

    /// The account's sends from `since` on, oldest first.
    public func sends(accountID: Int64, since: Int64) async throws -> [AbuseSend] {
        try await database.snapshot { db in
            try await db.raw(
                """
                SELECT ip, network, recipients, created_at FROM abuse_send
                WHERE account_id = \(bind: accountID) AND created_at >= \(bind: since)
                ORDER BY id LIMIT \(literal: Self.maxRows)
                """
            ).all().map(Self.send)
        }
    }

    /// The sends from `since` on, oldest first (the report): the newest `maxRows * 5` when there
    /// are more, so a long period on a busy site never hides the latest (a compromise in progress).
    public func allSends(since: Int64) async throws -> [(accountID: Int64, account: String, send: AbuseSend)] {
        try await database.snapshot { db in
            try await db.raw(
                """
                SELECT account_id, account, ip, network, recipients, created_at FROM abuse_send
                WHERE created_at >= \(bind: since) ORDER BY id DESC LIMIT \(literal: Self.maxRows * 5)
                """
            ).all().reversed().map {
                (
                    try $0.decode(column: "account_id", as: Int64.self), try $0.decode(column: "account", as: String.self),
                    try Self.send($0)
                )
            }
        }
    }

    private static func send(_ row: any SQLRow) throws -> AbuseSend {
        AbuseSend(
            ip: try row.decode(column: "ip", as: String.self), network: try row.decode(column: "network", as: String.self),
            recipients: Int(try row.decode(column: "recipients", as: Int64.self)),
            at: try row.decode(column: "created_at", as: Int64.self))
    }

    /// The addresses the account logged in from successfully with a reading protocol (not
    /// `AbuseNetwork.sendingProtocols`) from `since` on.
    public func readIPs(accountID: Int64, since: Int64) async throws -> Set<String> {
        let sending = SQLList(AbuseNetwork.sendingProtocols.sorted().map { SQLBind($0) })
        return try await database.snapshot { db in
            Set(
                try await db.raw(
                    """
                    SELECT DISTINCT ip FROM login_event
                    WHERE account_id = \(bind: accountID) AND success = \(bind: true) AND created_at >= \(bind: since)
                      AND protocol NOT IN (\(sending)) LIMIT \(literal: Self.maxRows)
                    """
                ).all().map { try $0.decode(column: "ip", as: String.self) })
        }
    }

    /// The addresses of successful logins of any protocol in `[since, before)`.
    public func loginIPs(accountID: Int64, since: Int64, before: Int64) async throws -> Set<String> {
        try await database.snapshot { db in
            Set(
                try await db.raw(
                    """
                    SELECT DISTINCT ip FROM login_event
                    WHERE account_id = \(bind: accountID) AND success = \(bind: true) AND created_at >= \(bind: since)
                      AND created_at < \(bind: before) LIMIT \(literal: Self.maxRows)
                    """
                ).all().map { try $0.decode(column: "ip", as: String.self) })
        }
    }

    /// The logins (success or counted failure) of the account, or of its login name while the
    /// account was not known, from `since` on, oldest first.
    public func logins(accountID: Int64, account: String, since: Int64) async throws -> [(ip: String, success: Bool, at: Int64)] {
        let failures = SQLList(LoginReason.counted.filter { $0 != LoginReason.pending }.map { SQLBind($0) })
        return try await database.snapshot { db in
            try await db.raw(
                """
                SELECT ip, success, created_at FROM login_event
                WHERE (account_id = \(bind: accountID) OR login = \(bind: account.lowercased()))
                  AND created_at >= \(bind: since)
                  AND (success = \(bind: true) OR reason IN (\(failures)))
                ORDER BY created_at, id LIMIT \(literal: Self.maxRows)
                """
            ).all().map {
                (
                    try $0.decode(column: "ip", as: String.self), try $0.decode(column: "success", as: Bool.self),
                    try $0.decode(column: "created_at", as: Int64.self)
                )
            }
        }
    }

    /// The most messages of the account in one clock hour in `[since, before)`.
    public func busiestHour(accountID: Int64, since: Int64, before: Int64) async throws -> Int {
        try await database.snapshot { db in
            let row = try await db.raw(
                """
                SELECT MAX(n) AS busiest FROM (
                  SELECT COUNT(*) AS n FROM abuse_send
                  WHERE account_id = \(bind: accountID) AND created_at >= \(bind: since) AND created_at < \(bind: before)
                  GROUP BY created_at / 3600) hours
                """
            ).first()
            return Int(try row?.decode(column: "busiest", as: Int64?.self) ?? 0)
        }
    }

    /// Distinct recipients from `windowStart` on that the account did not write to in `[since, windowStart)`.
    public func newRecipients(accountID: Int64, since: Int64, windowStart: Int64) async throws -> Int {
        try await database.snapshot { db in
            let row = try await db.raw(
                """
                SELECT COUNT(DISTINCT recipient) AS n FROM abuse_recipient r
                WHERE r.account_id = \(bind: accountID) AND r.created_at >= \(bind: windowStart)
                  AND NOT EXISTS (SELECT 1 FROM abuse_recipient p
                                  WHERE p.account_id = r.account_id AND p.recipient = r.recipient
                                    AND p.created_at >= \(bind: since) AND p.created_at < \(bind: windowStart))
                """
            ).first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }

    /// The account's permanent failures from `since` on.
    public func bounces(accountID: Int64, since: Int64) async throws -> Int {
        try await database.snapshot { db in
            let row = try await db.raw(
                "SELECT COUNT(*) AS n FROM abuse_bounce WHERE account_id = \(bind: accountID) AND created_at >= \(bind: since)"
            ).first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
    }

    /// Gathers `AbuseHistory` for one account at `now` under `settings`.
    public func history(accountID: Int64, account: String, now: Int64, settings: AbuseSettings) async throws -> AbuseHistory {
        let windowStart = max(now - settings.window.seconds, try await releasedAt(accountID: accountID) ?? 0)
        let readSince = now - settings.readHistory.seconds
        let historySince = windowStart - settings.history.seconds
        func network(_ ip: String) -> String {
            AbuseNetwork.key(ip, v4: settings.networkPrefixV4, v6: settings.networkPrefixV6)
        }
        let readIPs = try await readIPs(accountID: accountID, since: readSince)
        let known = try await loginIPs(accountID: accountID, since: readSince, before: windowStart)
        let logins = try await logins(accountID: accountID, account: account, since: windowStart)
        return AbuseHistory(
            accountID: accountID, account: account, sends: try await sends(accountID: accountID, since: windowStart),
            readIPs: readIPs, readNetworks: Set(readIPs.map(network)), knownLoginNetworks: Set(known.map(network)),
            logins: logins.map { AbuseLogin(ip: $0.ip, network: network($0.ip), success: $0.success, at: $0.at) },
            busiestPastHour: try await busiestHour(accountID: accountID, since: historySince, before: windowStart),
            newRecipients: try await newRecipients(accountID: accountID, since: historySince, windowStart: windowStart),
            bounces: try await bounces(accountID: accountID, since: windowStart))
    }

    // MARK: Whitelist

    public func ignores() async throws -> [AbuseIgnore] {
        try await database.snapshot { db in
            try await db.raw("SELECT target, rule FROM abuse_ignore ORDER BY target, rule LIMIT \(literal: Self.maxRows)")
                .all().map {
                    AbuseIgnore(
                        target: try $0.decode(column: "target", as: String.self),
                        rule: AbuseRule(rawValue: try $0.decode(column: "rule", as: String.self)))
                }
        }
    }

    /// Adds (or with `remove`, deletes) a whitelist entry; returns whether anything changed.
    @discardableResult
    public func setIgnore(_ entry: AbuseIgnore, remove: Bool = false, at: Int64) async throws -> Bool {
        let rule = entry.rule?.rawValue ?? "all"
        return try await database.withConnection { db in
            if remove {
                return try await db.raw(
                    "DELETE FROM abuse_ignore WHERE target = \(bind: entry.target) AND rule = \(bind: rule) RETURNING target"
                ).all().count > 0
            }
            return try await db.raw(
                """
                INSERT INTO abuse_ignore (target, rule, created_at) VALUES (\(bind: entry.target), \(bind: rule), \(bind: at))
                ON CONFLICT (target, rule) DO NOTHING RETURNING target
                """
            ).all().count > 0
        }
    }

    // MARK: Suspensions

    /// Inserts `suspension` with the stored password hash to watch when it locks; false when
    /// the account is already suspended (another evaluation got there first).
    public func suspend(_ suspension: AbuseSuspension, password: String?) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO abuse_suspension (account_id, account, suspended_at, node_id, score, locked, password)
                VALUES (\(bind: suspension.accountID), \(bind: suspension.account.lowercased()), \(bind: suspension.suspendedAt),
                        \(bind: suspension.node), \(bind: suspension.score), \(bind: suspension.locked), \(bind: password))
                ON CONFLICT (account_id) DO NOTHING RETURNING account_id
                """
            ).all().count > 0
        }
    }

    /// Every suspension, with its count of held messages.
    public func suspensions() async throws -> [AbuseSuspension] {
        try await suspensions(where: nil)
    }

    /// The suspension of `account` (an address, any case), or nil.
    public func suspension(account: String) async throws -> AbuseSuspension? {
        try await suspensions(where: account.lowercased()).first
    }

    private func suspensions(where account: String?) async throws -> [AbuseSuspension] {
        try await database.snapshot { db in
            var filter: SQLQueryString = ""
            if let account { filter = "WHERE s.account = \(bind: account)" }
            return try await db.raw(
                """
                SELECT s.account_id, s.account, s.suspended_at, s.node_id, s.score, s.locked,
                       (SELECT COUNT(*) FROM abuse_held h WHERE h.account_id = s.account_id) AS held
                FROM abuse_suspension s \(filter) ORDER BY s.suspended_at, s.account LIMIT \(literal: Self.maxRows)
                """
            ).all().map {
                AbuseSuspension(
                    accountID: try $0.decode(column: "account_id", as: Int64.self),
                    account: try $0.decode(column: "account", as: String.self),
                    suspendedAt: try $0.decode(column: "suspended_at", as: Int64.self),
                    node: try $0.decode(column: "node_id", as: String.self),
                    score: Int(try $0.decode(column: "score", as: Int64.self)),
                    locked: try $0.decode(column: "locked", as: Bool.self),
                    heldMessages: Int(try $0.decode(column: "held", as: Int64.self)))
            }
        }
    }

    /// Whether `account` (an address) is suspended: one indexed lookup, for the submission path.
    public func isSuspended(account: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("SELECT account_id FROM abuse_suspension WHERE account = \(bind: account.lowercased())").first()
                != nil
        }
    }

    /// Locked suspensions with the password hash they were locked under.
    public func locks() async throws -> [(accountID: Int64, account: String, password: String?)] {
        try await database.snapshot { db in
            try await db.raw(
                "SELECT account_id, account, password FROM abuse_suspension WHERE locked = \(bind: true) LIMIT \(literal: Self.maxRows)"
            ).all().map {
                (
                    try $0.decode(column: "account_id", as: Int64.self), try $0.decode(column: "account", as: String.self),
                    try $0.decode(column: "password", as: String?.self)
                )
            }
        }
    }

    /// Marks the suspension of `accountID` unlocked.
    public func clearLock(accountID: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw(
                "UPDATE abuse_suspension SET locked = \(bind: false), password = NULL WHERE account_id = \(bind: accountID)"
            ).run()
        }
    }

    /// When the account's last suspension was lifted, if ever.
    public func releasedAt(accountID: Int64) async throws -> Int64? {
        try await database.snapshot { db in
            try await db.raw("SELECT released_at FROM abuse_release WHERE account_id = \(bind: accountID)").first()?
                .decode(column: "released_at", as: Int64.self)
        }
    }

    /// Removes the suspension (remembering when, `releasedAt`); returns it (nil when there was none) and the held messages it
    /// had, which are forgotten here (the caller releases or deletes them).
    public func lift(accountID: Int64, at: Int64) async throws -> (suspension: AbuseSuspension, held: [String])? {
        guard let suspension = try await suspensions().first(where: { $0.accountID == accountID }) else { return nil }
        return try await database.transaction { db in
            let held = try await db.raw(
                "SELECT queue_id FROM abuse_held WHERE account_id = \(bind: accountID) ORDER BY queue_id"
            ).all().map { try $0.decode(column: "queue_id", as: String.self) }
            try await db.raw("DELETE FROM abuse_held WHERE account_id = \(bind: accountID)").run()
            let deleted = try await db.raw(
                "DELETE FROM abuse_suspension WHERE account_id = \(bind: accountID) RETURNING account_id"
            ).all().count
            try await db.raw(
                """
                INSERT INTO abuse_release (account_id, released_at) VALUES (\(bind: accountID), \(bind: at))
                ON CONFLICT (account_id) DO UPDATE SET released_at = excluded.released_at
                """
            ).run()
            return deleted > 0 ? (suspension, held) : nil
        }
    }

    /// Holds every queued message the account submitted that has a pending delivery to a remote
    /// recipient and is not held yet; returns their ids. Needs the queue's tables (`QueueSchema`).
    public func holdQueued(accountID: Int64) async throws -> [String] {
        try await database.transaction { db in
            let ids = try await db.raw(
                """
                SELECT DISTINCT s.queue_id FROM abuse_send s JOIN queue_message m ON m.id = s.queue_id
                WHERE s.account_id = \(bind: accountID) AND m.held = \(bind: false)
                  AND EXISTS (SELECT 1 FROM queue_recipient r WHERE r.message_id = s.queue_id
                              AND r.kind = 'remote' AND r.status = 'pending')
                ORDER BY s.queue_id LIMIT \(literal: Self.maxRows)
                """
            ).all().map { try $0.decode(column: "queue_id", as: String.self) }
            for id in ids {
                try await db.raw("UPDATE queue_message SET held = \(bind: true) WHERE id = \(bind: id)").run()
                try await db.raw(
                    """
                    INSERT INTO abuse_held (account_id, queue_id) VALUES (\(bind: accountID), \(bind: id))
                    ON CONFLICT (account_id, queue_id) DO NOTHING
                    """
                ).run()
            }
            return ids
        }
    }

    // MARK: Audit and purge

    public func audit(account: String, action: String, detail: String, nodeID: String, at: Int64) async throws {
        try await database.withConnection { db in
            try await db.insert(into: "abuse_audit").columns("created_at", "node_id", "account", "action", "detail")
                .values(SQLBind(at), SQLBind(nodeID), SQLBind(account.lowercased()), SQLBind(action), SQLBind(detail)).run()
        }
    }

    /// The audit trail of `account`, oldest first (the last `limit` entries).
    public func auditTrail(account: String, limit: Int = 200) async throws -> [AbuseAuditEntry] {
        try await database.snapshot { db in
            try await db.raw(
                """
                SELECT created_at, node_id, account, action, detail FROM abuse_audit
                WHERE account = \(bind: account.lowercased()) ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all().map {
                AbuseAuditEntry(
                    at: try $0.decode(column: "created_at", as: Int64.self),
                    node: try $0.decode(column: "node_id", as: String.self),
                    account: try $0.decode(column: "account", as: String.self),
                    action: try $0.decode(column: "action", as: String.self),
                    detail: try $0.decode(column: "detail", as: String.self))
            }.reversed()
        }
    }

    /// The accounts that had `action` (`suspend`, `release`…) from `since` until before `before`,
    /// each once, in the order of their first such entry.
    public func accounts(withAction action: String, since: Int64, before: Int64) async throws -> [String] {
        try await database.snapshot { db in
            try await db.raw(
                """
                SELECT account, MIN(id) AS first FROM abuse_audit
                WHERE action = \(bind: action) AND created_at >= \(bind: since) AND created_at < \(bind: before)
                GROUP BY account ORDER BY first
                """
            ).all().map { try $0.decode(column: "account", as: String.self) }
        }
    }

    /// Deletes send, recipient and bounce records older than `before`.
    public func purge(before: Int64) async throws {
        try await database.withConnection { db in
            for table in ["abuse_send", "abuse_recipient", "abuse_bounce"] {
                try await db.raw("DELETE FROM \(unsafeRaw: table) WHERE created_at < \(bind: before)").run()
            }
        }
    }
}
