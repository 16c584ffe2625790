import Core
import NIOConcurrencyHelpers
import SQLKit

/// Counts kept in memory as events happen and added to the database by `flush` (once a minute,
/// before the dashboard reads, and at shutdown), so counting costs no database round trip and
/// every node's counts end up in the same rows: per day in `monitor_rollup` (the daily summary),
/// per hour and minute in `monitor_series` (the dashboard), as each counter's `spans` say. Sums
/// add up and peaks keep the largest value, both in memory and in the upsert.
public final class DailyRollup: DailyCounting {
    struct Key: Hashable {
        var span: RollupSpan
        var bucket: Int64
        var counter: DailyCounter
        var key: String
    }

    /// The counts waiting for a flush, and how many distinct keys each counter has among them.
    struct Pending {
        var values: [Key: Int64] = [:]
        var keys: [DailyCounter: Int] = [:]
    }

    public let database: Database
    private let pending = NIOLockedValueBox(Pending())
    private let clock: @Sendable () -> Int64

    /// At most this many distinct keys wait for a flush; beyond it further new keys are dropped
    /// (a flood of distinct refusals must not grow memory without bound).
    public static let maximumPendingKeys = 10_000

    /// At most this many distinct keys of one counter wait for a flush; further new keys are
    /// counted under `otherKey`, so one counter flooded with keys (clients cycling addresses)
    /// neither loses its total nor crowds out the other counters.
    public static let maximumPendingKeysPerCounter = 1_000

    /// The key the counts beyond `maximumPendingKeysPerCounter` go to.
    public static let otherKey = "other"

    /// The longest key kept (longer ones are cut).
    public static let maximumKeyLength = 200

    public init(database: Database, clock: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.database = database
        self.clock = clock
    }

    public func add(_ amount: Int64, to counter: DailyCounter, key: String) {
        let now = clock()
        let key = String(key.prefix(Self.maximumKeyLength))
        pending.withLockedValue { pending in
            for span in counter.spans {
                Self.merge(amount, into: &pending, Key(span: span, bucket: span.start(of: now), counter: counter, key: key))
            }
        }
    }

    /// Adds `amount` to `entry`: the sum, or the larger for a peak; a new key only below the
    /// caps (past the counter's cap, to its `otherKey`).
    private static func merge(_ amount: Int64, into pending: inout Pending, _ entry: Key) {
        var entry = entry
        if pending.values[entry] == nil, pending.keys[entry.counter, default: 0] >= maximumPendingKeysPerCounter {
            entry.key = otherKey
        }
        if let value = pending.values[entry] {
            pending.values[entry] = entry.counter.isPeak ? max(value, amount) : value + amount
        } else if pending.values.count < maximumPendingKeys {
            pending.values[entry] = amount
            pending.keys[entry.counter, default: 0] += 1
        }
    }

    /// Adds what was counted since the last flush to the database; what fails to be written is
    /// counted again at the next flush.
    public func flush() async throws {
        let values = pending.withLockedValue { pending in
            defer { pending = Pending() }
            return pending.values
        }
        guard !values.isEmpty else { return }
        do {
            try await database.transaction { db in
                for (entry, value) in values { try await Self.upsert(entry, value, db) }
            }
        } catch {
            pending.withLockedValue { pending in
                for (entry, value) in values { Self.merge(value, into: &pending, entry) }
            }
            throw error
        }
    }

    /// One bucket's row: inserted, or merged into what the other nodes (and earlier flushes) wrote.
    private static func upsert(_ entry: Key, _ value: Int64, _ db: any SQLDatabase) async throws {
        let table = entry.span == .day ? "monitor_rollup" : "monitor_series"
        let merged =
            entry.counter.isPeak
            ? "CASE WHEN excluded.value > \(table).value THEN excluded.value ELSE \(table).value END"
            : "\(table).value + excluded.value"
        if entry.span == .day {
            try await db.raw(
                """
                INSERT INTO monitor_rollup (day, name, key, value)
                VALUES (\(bind: entry.bucket), \(bind: entry.counter.rawValue), \(bind: entry.key), \(bind: value))
                ON CONFLICT (day, name, key) DO UPDATE SET value = \(unsafeRaw: merged)
                """
            ).run()
        } else {
            try await db.raw(
                """
                INSERT INTO monitor_series (span, bucket, name, key, value)
                VALUES (\(bind: entry.span.rawValue), \(bind: entry.bucket), \(bind: entry.counter.rawValue),
                        \(bind: entry.key), \(bind: value))
                ON CONFLICT (span, bucket, name, key) DO UPDATE SET value = \(unsafeRaw: merged)
                """
            ).run()
        }
    }

    /// The stored counts of `counter` on the day starting at `day`, largest first.
    public static func values(_ counter: DailyCounter, day: Int64, database: Database) async throws -> [(
        key: String, value: Int64
    )] {
        try await database.snapshot { db in
            try await db.raw(
                """
                SELECT key, value FROM monitor_rollup WHERE day = \(bind: day) AND name = \(bind: counter.rawValue)
                ORDER BY value DESC, key
                """
            ).all().map { (try $0.decode(column: "key", as: String.self), try $0.decode(column: "value", as: Int64.self)) }
        }
    }

    /// The stored `span` buckets of `counters` starting in `from..<to`, oldest first (minute and
    /// hour buckets only; days are `values`).
    public static func series(
        _ counters: [DailyCounter], span: RollupSpan, from: Int64, to: Int64, database: Database
    ) async throws -> [RollupPoint] {
        guard !counters.isEmpty else { return [] }
        let names = SQLList(counters.map { SQLBind($0.rawValue) })
        return try await database.snapshot { db in
            try await db.raw(
                """
                SELECT bucket, name, key, value FROM monitor_series
                WHERE span = \(bind: span.rawValue) AND bucket >= \(bind: from) AND bucket < \(bind: to)
                  AND name IN (\(names))
                ORDER BY bucket, name, key
                """
            ).all().compactMap { row in
                guard let counter = DailyCounter(rawValue: try row.decode(column: "name", as: String.self)) else {
                    return nil
                }
                return RollupPoint(
                    bucket: try row.decode(column: "bucket", as: Int64.self), counter: counter,
                    key: try row.decode(column: "key", as: String.self), value: try row.decode(column: "value", as: Int64.self))
            }
        }
    }

    /// The `limit` keys of `counter` with the largest sums over the `span` buckets starting in
    /// `from..<to`, largest first (ties by key): ranked by the database, so a window with many
    /// keys costs one short answer.
    public static func top(
        _ counter: DailyCounter, span: RollupSpan, from: Int64, to: Int64, limit: Int, database: Database
    ) async throws -> [(key: String, value: Int64)] {
        try await database.snapshot { db in
            try await db.raw(
                """
                SELECT key, CAST(SUM(value) AS BIGINT) AS total FROM monitor_series
                WHERE span = \(bind: span.rawValue) AND bucket >= \(bind: from) AND bucket < \(bind: to)
                  AND name = \(bind: counter.rawValue)
                GROUP BY key ORDER BY total DESC, key LIMIT \(literal: max(0, limit))
                """
            ).all().map { (try $0.decode(column: "key", as: String.self), try $0.decode(column: "total", as: Int64.self)) }
        }
    }

    /// Forgets the days before `day`.
    public static func purge(before day: Int64, database: Database) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM monitor_rollup WHERE day < \(bind: day)").run()
            try await db.raw("DELETE FROM monitor_summary_sent WHERE day < \(bind: day)").run()
        }
    }

    /// Forgets the `span` buckets that started before `before`.
    public static func purgeSeries(_ span: RollupSpan, before: Int64, database: Database) async throws {
        try await database.withConnection { db in
            try await db.raw(
                "DELETE FROM monitor_series WHERE span = \(bind: span.rawValue) AND bucket < \(bind: before)"
            ).run()
        }
    }
}

/// One stored bucket of one counter's key.
public struct RollupPoint: Sendable, Hashable {
    /// The bucket's start (seconds since 1970).
    public var bucket: Int64
    public var counter: DailyCounter
    public var key: String
    public var value: Int64

    public init(bucket: Int64, counter: DailyCounter, key: String, value: Int64) {
        self.bucket = bucket
        self.counter = counter
        self.key = key
        self.value = value
    }
}
