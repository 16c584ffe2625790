import Core

/// The daily rollup (`monitor_rollup`: per day, counter and key, summed or peak, added to by every
/// node), the ledger of summaries sent (`monitor_summary_sent`: one per day, whichever node sends),
/// and the dashboard's finer rollup (`monitor_series`: per minute or hour bucket, counter and key,
/// written by the same flush; `span` is the bucket's length in seconds, `bucket` its start; kept
/// for `[summary] minute_retention` and `hour_retention`).
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
        },
        Migration("monitor.summary.2-series") { _ in
            [
                """
                CREATE TABLE monitor_series (
                  span BIGINT NOT NULL,
                  bucket BIGINT NOT NULL,
                  name TEXT NOT NULL,
                  key TEXT NOT NULL,
                  value BIGINT NOT NULL,
                  PRIMARY KEY (span, bucket, name, key))
                """
            ]
        },
    ]
}
