import Core
import SQLKit

/// The numbers an admin looks at every morning, for one UTC day: mail received and submitted, the
/// top senders, refusals by reply, failed logins, the queue's peak and the accounts suspended.
public struct DailySummary: Sendable, Codable, Equatable {
    public struct Count: Sendable, Codable, Equatable {
        public var key: String
        public var count: Int64

        public init(_ key: String, _ count: Int64) {
            self.key = key
            self.count = count
        }
    }

    /// The day's first second (UTC).
    public var day: Int64
    /// Messages accepted, by listener mode.
    public var received: [Count]
    /// Messages submitted in all, and the accounts that submitted most.
    public var submitted: Int64
    public var topSenders: [Count]
    /// Refusals in all, and the most frequent replies.
    public var refused: Int64
    public var topRefusals: [Count]
    /// Failed logins in all (every protocol), and the client addresses with most of them.
    public var failedLogins: Int64
    public var topFailingClients: [Count]
    /// The queue's largest size and the hour (`00`…`23`, UTC) it was seen; nil when never sampled.
    public var queuePeak: Count?
    /// Accounts whose sending was suspended that day (compromised-account containment).
    public var suspended: [String]

    public init(
        day: Int64, received: [Count] = [], submitted: Int64 = 0, topSenders: [Count] = [], refused: Int64 = 0,
        topRefusals: [Count] = [], failedLogins: Int64 = 0, topFailingClients: [Count] = [], queuePeak: Count? = nil,
        suspended: [String] = []
    ) {
        self.day = day
        self.received = received
        self.submitted = submitted
        self.topSenders = topSenders
        self.refused = refused
        self.topRefusals = topRefusals
        self.failedLogins = failedLogins
        self.topFailingClients = topFailingClients
        self.queuePeak = queuePeak
        self.suspended = suspended
    }

    /// Reads the day starting at `day` from the rollup, the login log and the abuse audit trail;
    /// `top` rows per list.
    public static func gather(day: Int64, top: Int, database: Database) async throws -> DailySummary {
        func counts(_ counter: DailyCounter) async throws -> [Count] {
            try await DailyRollup.values(counter, day: day, database: database).map { Count($0.key, $0.value) }
        }
        let received = try await counts(.received)
        let submitted = try await counts(.submitted)
        let refused = try await counts(.refused)
        let peaks = try await counts(.queuePeak)
        let (failed, clients) = try await database.snapshot { db in
            let total =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM login_event
                    WHERE NOT success AND created_at >= \(bind: day) AND created_at < \(bind: day + 86_400)
                    """
                ).first()?.decode(column: "n", as: Int64.self) ?? 0
            let clients = try await db.raw(
                """
                SELECT ip, COUNT(*) AS n FROM login_event
                WHERE NOT success AND created_at >= \(bind: day) AND created_at < \(bind: day + 86_400)
                GROUP BY ip ORDER BY n DESC, ip LIMIT \(bind: top)
                """
            ).all().map { Count(try $0.decode(column: "ip", as: String.self), try $0.decode(column: "n", as: Int64.self)) }
            return (total, clients)
        }
        let suspended = try await AbuseStore(database: database).accounts(
            withAction: "suspend", since: day, before: day + 86_400)
        return DailySummary(
            day: day, received: received.sorted { $0.key < $1.key }, submitted: submitted.reduce(0) { $0 + $1.count },
            topSenders: Array(submitted.prefix(top)), refused: refused.reduce(0) { $0 + $1.count },
            topRefusals: Array(refused.prefix(top)), failedLogins: failed, topFailingClients: clients,
            queuePeak: peaks.first, suspended: suspended)
    }
}
