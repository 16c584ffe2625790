import Core

/// The tables of compromised-account detection (docs/abuse.md). Accounts are named by id and
/// address (lower-cased) without a foreign key: the records outlive a deleted account for the audit.
///
/// - `abuse_send`: one row per message accepted from an authenticated submission; `network` is the
///   client's /24 or /48 (`AbuseNetwork`); `queue_id` finds the message to hold.
/// - `abuse_recipient`: the recipients (lower-cased) of each send, for "never written to before".
/// - `abuse_bounce`: a permanent failure of one of the account's messages.
/// - `abuse_suspension`: at most one row per account; its presence refuses the account's
///   submissions on every node. `password` is the stored password hash when `locked`, so a
///   changed password lifts the lock.
/// - `abuse_held`: the queued messages a suspension held, released or deleted with it.
/// - `abuse_release`: when the account's last suspension was lifted: the rules count nothing
///   from before it, so a released account is not suspended again for the same sends.
/// - `abuse_ignore`: whitelist entries: an account address or a network, for a rule or `all`.
/// - `abuse_audit`: every action, append-only.
public enum AbuseSchema {
    public static let migrations: [Migration] = [
        Migration("monitor.2-abuse") { db in
            [
                """
                CREATE TABLE abuse_send (
                  id \(db.autoIncrementPrimaryKey),
                  account_id BIGINT NOT NULL,
                  account TEXT NOT NULL,
                  ip TEXT NOT NULL,
                  network TEXT NOT NULL,
                  recipients INTEGER NOT NULL,
                  queue_id TEXT NOT NULL,
                  node_id TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX abuse_send_account ON abuse_send (account_id, created_at)",
                "CREATE INDEX abuse_send_time ON abuse_send (created_at)",
                "CREATE INDEX abuse_send_queue ON abuse_send (queue_id)",
                """
                CREATE TABLE abuse_recipient (
                  id \(db.autoIncrementPrimaryKey),
                  account_id BIGINT NOT NULL,
                  recipient TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX abuse_recipient_account ON abuse_recipient (account_id, recipient, created_at)",
                "CREATE INDEX abuse_recipient_time ON abuse_recipient (created_at)",
                """
                CREATE TABLE abuse_bounce (
                  id \(db.autoIncrementPrimaryKey),
                  account_id BIGINT NOT NULL,
                  queue_id TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX abuse_bounce_account ON abuse_bounce (account_id, created_at)",
                """
                CREATE TABLE abuse_suspension (
                  account_id BIGINT PRIMARY KEY,
                  account TEXT NOT NULL,
                  suspended_at BIGINT NOT NULL,
                  node_id TEXT NOT NULL,
                  score INTEGER NOT NULL,
                  locked BOOLEAN NOT NULL,
                  password TEXT NULL)
                """,
                "CREATE INDEX abuse_suspension_account ON abuse_suspension (account)",
                """
                CREATE TABLE abuse_held (
                  account_id BIGINT NOT NULL,
                  queue_id TEXT NOT NULL,
                  PRIMARY KEY (account_id, queue_id))
                """,
                """
                CREATE TABLE abuse_release (
                  account_id BIGINT PRIMARY KEY,
                  released_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE abuse_ignore (
                  target TEXT NOT NULL,
                  rule TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  PRIMARY KEY (target, rule))
                """,
                """
                CREATE TABLE abuse_audit (
                  id \(db.autoIncrementPrimaryKey),
                  created_at BIGINT NOT NULL,
                  node_id TEXT NOT NULL,
                  account TEXT NOT NULL,
                  action TEXT NOT NULL,
                  detail TEXT NOT NULL)
                """,
                "CREATE INDEX abuse_audit_account ON abuse_audit (account, id)",
            ]
        }
    ]
}
