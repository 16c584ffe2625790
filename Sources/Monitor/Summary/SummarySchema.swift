import Core

/// The daily rollup (`monitor_rollup`: per day, counter and key, summed or peak, added to by every
/// node) and the ledger of summaries sent (`monitor_summary_sent`: one per day, whichever node sends).
public enum SummarySchema {
    public static let migrations: [Migration] = [
        Migration("monitor.summary.1-rollup") { _ in
            [
                """
                CREATE TABLE monitor_rollup (
                  day BIGINT NOT NULL,
                  name TEXT NOT NULL,
                  key TEXT NOT NULL,
                  value BIGINT NOT NULL,
                  PRIMARY KEY (day, name, key))
                """,
                """
                CREATE TABLE monitor_summary_sent (
                  day BIGINT PRIMARY KEY,
                  node_id TEXT NOT NULL,
                  sent_at BIGINT NOT NULL)
                """,
            ]
        }
    ]
}
