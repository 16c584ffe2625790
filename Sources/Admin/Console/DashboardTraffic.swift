import Core
import Monitor

/// The period the dashboard's charts cover, and the bucket they are drawn in.
public enum DashboardWindow: String, Sendable, CaseIterable {
    /// The last 60 minutes, by minute.
    case hour
    /// The last 24 hours, by hour.
    case day
    /// The last 7 days, by hour.
    case week

    /// The bucket of one bar.
    public var span: RollupSpan { self == .hour ? .minute : .hour }

    /// The number of bars.
    public var bucketCount: Int {
        switch self {
        case .hour: 60
        case .day: 24
        case .week: 168
        }
    }
}

/// One key's counts, one per bucket of the window (zero where nothing was counted).
public struct DashboardSeries: Sendable, Hashable {
    /// What the rollup counts it by (`mx`, `local`, `mx 550 5.1.1`, `other`).
    public var key: String
    /// Readable words for it (`bad destination mailbox address`).
    public var label: String
    public var values: [Int64]
    public var total: Int64 { values.reduce(0, +) }

    public init(key: String, label: String, values: [Int64]) {
        self.key = key
        self.label = label
        self.values = values
    }
}

/// One row of a ranked list (top senders, top refused clients).
public struct DashboardRank: Sendable, Hashable {
    public var key: String
    public var value: Int64

    public init(_ key: String, _ value: Int64) {
        self.key = key
        self.value = value
    }
}

/// Logins of one protocol over the window.
public struct DashboardLogins: Sendable, Hashable {
    public var protocolName: String
    public var succeeded: Int64
    public var failed: Int64

    public init(protocolName: String, succeeded: Int64, failed: Int64) {
        self.protocolName = protocolName
        self.succeeded = succeeded
        self.failed = failed
    }
}

/// The site's traffic over a window, from the rollup every node adds to: what the dashboard's
/// charts and the API's `/dashboard` show. Times are UTC bucket starts.
public struct DashboardTraffic: Sendable {
    public var window: DashboardWindow
    /// The start of each bucket (seconds since 1970), oldest first.
    public var buckets: [Int64]
    /// Messages accepted, by listener mode (`mx`, `submission`, `lmtp`).
    public var received: [DashboardSeries]
    /// Delivery outcomes per recipient: `local`, `remote` (delivered), `bounced`, `deferred`.
    public var sent: [DashboardSeries]
    /// Refused SMTP commands by reason (`mx 550 5.1.1`): the most frequent ones, the rest as `other`.
    public var refused: [DashboardSeries]
    /// The queue's largest size in each bucket; nil where no node sampled it.
    public var queueSize: [Int64?]
    /// Logins by protocol, over the window.
    public var logins: [DashboardLogins]
    /// The accounts that submitted most, over the hours the window touches.
    public var topSenders: [DashboardRank]
    /// The client addresses refused most, over the hours the window touches.
    public var topRefusedClients: [DashboardRank]

    public init(
        window: DashboardWindow, buckets: [Int64], received: [DashboardSeries], sent: [DashboardSeries],
        refused: [DashboardSeries], queueSize: [Int64?], logins: [DashboardLogins], topSenders: [DashboardRank],
        topRefusedClients: [DashboardRank]
    ) {
        self.window = window
        self.buckets = buckets
        self.received = received
        self.sent = sent
        self.refused = refused
        self.queueSize = queueSize
        self.logins = logins
        self.topSenders = topSenders
        self.topRefusedClients = topRefusedClients
    }

    /// The most frequent refusal reasons drawn on their own; the rest are summed as `other`.
    public static let refusalReasons = 6
    /// Rows of the ranked lists.
    public static let rankedRows = 10

    /// Whether nothing at all was counted in the window.
    public var isEmpty: Bool {
        (received + sent + refused).allSatisfy { $0.total == 0 } && queueSize.allSatisfy { $0 == nil }
            && logins.isEmpty && topSenders.isEmpty && topRefusedClients.isEmpty
    }

    /// Reads the window ending at `now` from the database.
    public static func read(_ window: DashboardWindow, now: Int64, database: Database) async throws -> DashboardTraffic {
        let span = window.span
        let last = span.start(of: now)
        let first = last - Int64(window.bucketCount - 1) * span.rawValue
        let buckets = (0..<window.bucketCount).map { first + Int64($0) * span.rawValue }
        let end = last + span.rawValue
        let points = try await DailyRollup.series(
            [.received, .delivered, .refused, .queueSize, .logins], span: span, from: first, to: end, database: database)
        func top(_ counter: DailyCounter) async throws -> [DashboardRank] {
            try await DailyRollup.top(
                counter, span: .hour, from: RollupSpan.hour.start(of: first), to: end, limit: rankedRows, database: database
            ).map { DashboardRank($0.key, $0.value) }
        }
        let index = Dictionary(uniqueKeysWithValues: buckets.enumerated().map { ($1, $0) })
        func series(_ counter: DailyCounter) -> [String: [Int64]] {
            var byKey: [String: [Int64]] = [:]
            for point in points where point.counter == counter {
                guard let slot = index[point.bucket] else { continue }
                byKey[point.key, default: Array(repeating: 0, count: buckets.count)][slot] += point.value
            }
            return byKey
        }
        var queue = [Int64?](repeating: nil, count: buckets.count)
        for point in points where point.counter == .queueSize {
            if let slot = index[point.bucket] { queue[slot] = max(queue[slot] ?? 0, point.value) }
        }
        var logins: [String: DashboardLogins] = [:]
        for point in points where point.counter == .logins {
            let parts = point.key.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            var entry = logins[parts[0]] ?? DashboardLogins(protocolName: parts[0], succeeded: 0, failed: 0)
            if parts[1] == "ok" { entry.succeeded += point.value } else { entry.failed += point.value }
            logins[parts[0]] = entry
        }
        return DashboardTraffic(
            window: window, buckets: buckets,
            received: ordered(series(.received), first: ["mx", "submission", "lmtp"], label: receivedLabel),
            sent: ordered(series(.delivered), first: ["local", "remote", "bounced", "deferred"], label: sentLabel),
            refused: refusals(series(.refused), count: buckets.count), queueSize: queue,
            logins: logins.values.sorted { $0.protocolName < $1.protocolName },
            topSenders: try await top(.submitted), topRefusedClients: try await top(.refusedClient))
    }

    /// The keys named in `first` in that order (when counted), then the others by name.
    static func ordered(_ byKey: [String: [Int64]], first: [String], label: (String) -> String) -> [DashboardSeries] {
        let keys = first.filter { byKey[$0] != nil } + byKey.keys.filter { !first.contains($0) }.sorted()
        return keys.map { DashboardSeries(key: $0, label: label($0), values: byKey[$0] ?? []) }
    }

    /// The most frequent reasons, largest first, and the rest summed as `other`.
    static func refusals(_ byKey: [String: [Int64]], count: Int) -> [DashboardSeries] {
        let sorted = byKey.map { DashboardSeries(key: $0, label: RefusalReason.label(forKey: $0), values: $1) }
            .sorted { ($0.total, $1.key) > ($1.total, $0.key) }
        guard sorted.count > refusalReasons else { return sorted }
        var other = DashboardSeries(key: "other", label: "other reasons", values: Array(repeating: 0, count: count))
        for series in sorted.dropFirst(refusalReasons - 1) {
            for (slot, value) in series.values.enumerated() { other.values[slot] += value }
        }
        return Array(sorted.prefix(refusalReasons - 1)) + [other]
    }

    static func receivedLabel(_ key: String) -> String {
        switch key {
        case "mx": "Inbound (MX)"
        case "submission": "Submission"
        case "lmtp": "LMTP"
        default: key
        }
    }

    static func sentLabel(_ key: String) -> String {
        switch key {
        case "local": "Delivered locally"
        case "remote": "Relayed to other servers"
        case "bounced": "Bounced"
        case "deferred": "Deferred"
        default: key
        }
    }
}
