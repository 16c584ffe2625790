import Core
import NIOConcurrencyHelpers
import SQLKit

/// Counts of the day, kept in memory as events happen and added to `monitor_rollup` by `flush`
/// (once a minute, and at shutdown), so counting costs no database round trip and every node's
/// counts end up in the same rows.
public final class DailyRollup: DailyCounting {
    struct Key: Hashable {
        var day: Int64
        var counter: DailyCounter
        var key: String
    }

    public let database: Database
    private let pending = NIOLockedValueBox([Key: Int64]())
    private let clock: @Sendable () -> Int64

    /// At most this many distinct keys wait for a flush; beyond it further new keys are dropped
    /// (a flood of distinct refusals must not grow memory without bound).
    public static let maximumPendingKeys = 10_000

    public init(database: Database, clock: @escaping @Sendable () -> Int64 = UnixTime.now) {
        self.database = database
        self.clock = clock
    }

    public func add(_ amount: Int64, to counter: DailyCounter, key: String) {
        let entry = Key(day: UnixTime.dayStart(of: clock()), counter: counter, key: String(key.prefix(200)))
        pending.withLockedValue { values in
            if let value = values[entry] {
                values[entry] = counter.isPeak ? max(value, amount) : value + amount
            } else if values.count < Self.maximumPendingKeys {
                values[entry] = amount
            }
        }
    }

    /// Adds what was counted since the last flush to the database; what fails to be written is
    /// counted again at the next flush.
    public func flush() async throws {
        let values = pending.withLockedValue { values in
            defer { values = [:] }
            return values
        }
        guard !values.isEmpty else { return }
        do {
            try await database.transaction { db in
                for (entry, value) in values {
                    let merged =
                        entry.counter.isPeak
                        ? "CASE WHEN excluded.value > monitor_rollup.value THEN excluded.value ELSE monitor_rollup.value END"
                        : "monitor_rollup.value + excluded.value"
                    try await db.raw(
                        """
                        INSERT INTO monitor_rollup (day, name, key, value)
                        VALUES (\(bind: entry.day), \(bind: entry.counter.rawValue), \(bind: entry.key), \(bind: value))
                        ON CONFLICT (day, name, key) DO UPDATE SET value = \(unsafeRaw: merged)
                        """
                    ).run()
                }
            }
        } catch {
            for (entry, value) in values { add(value, to: entry.counter, key: entry.key, day: entry.day) }
            throw error
        }
    }

    private func add(_ amount: Int64, to counter: DailyCounter, key: String, day: Int64) {
        let entry = Key(day: day, counter: counter, key: key)
        pending.withLockedValue { values in
            values[entry] = counter.isPeak ? max(values[entry] ?? amount, amount) : (values[entry] ?? 0) + amount
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

    /// Forgets the days before `day`.
    public static func purge(before day: Int64, database: Database) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM monitor_rollup WHERE day < \(bind: day)").run()
            try await db.raw("DELETE FROM monitor_summary_sent WHERE day < \(bind: day)").run()
        }
    }
}
