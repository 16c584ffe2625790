import Core

/// The queue's tables: one row per accepted message, one per delivery it owes.
public enum QueueSchema {
    public static let migrations: [Migration] = [
        Migration("queue.1-messages-recipients") { db in
            [
                """
                CREATE TABLE queue_message (
                  id TEXT PRIMARY KEY,
                  reverse_path TEXT NOT NULL,
                  spool_file TEXT NOT NULL,
                  size BIGINT NOT NULL,
                  received_at BIGINT NOT NULL,
                  dsn_ret TEXT,
                  dsn_envid TEXT,
                  body TEXT NOT NULL,
                  smtputf8 BOOLEAN NOT NULL,
                  client_ip TEXT NOT NULL,
                  helo TEXT NOT NULL,
                  held BOOLEAN NOT NULL DEFAULT FALSE)
                """,
                """
                CREATE TABLE queue_recipient (
                  id \(db.autoIncrementPrimaryKey),
                  message_id TEXT NOT NULL REFERENCES queue_message(id) ON DELETE CASCADE,
                  recipient TEXT NOT NULL,
                  orcpt TEXT,
                  notify TEXT,
                  kind TEXT NOT NULL,
                  account_id BIGINT,
                  target TEXT NOT NULL,
                  detail TEXT,
                  status TEXT NOT NULL,
                  attempts INTEGER NOT NULL DEFAULT 0,
                  next_attempt_at BIGINT NOT NULL,
                  last_error TEXT,
                  locked_by TEXT,
                  locked_until BIGINT)
                """,
                "CREATE INDEX queue_recipient_due ON queue_recipient(status, next_attempt_at)",
                "CREATE INDEX queue_recipient_message ON queue_recipient(message_id)",
            ]
        },
        // Content filtering: header fields added on delivery (X-Spam-*) and a delivery's target
        // mailbox (Junk); NULL means none and INBOX.
        Migration("queue.2-filter-headers-mailbox") { _ in
            [
                "ALTER TABLE queue_message ADD COLUMN headers TEXT",
                "ALTER TABLE queue_recipient ADD COLUMN mailbox TEXT",
            ]
        },
        // Delay warnings (RFC 3464 Action: delayed): sent at most once per delivery.
        Migration("queue.3-delay-warned") { _ in
            ["ALTER TABLE queue_recipient ADD COLUMN delay_warned BOOLEAN NOT NULL DEFAULT FALSE"]
        },
        // Content filtering: header fields added on delivery for this recipient only (X-Spam-*
        // with the recipient's own threshold), above queue_message.headers; NULL means none.
        Migration("queue.4-recipient-headers") { _ in
            ["ALTER TABLE queue_recipient ADD COLUMN headers TEXT"]
        },
        // Site-wide secrets of the queue, one row each (the relay ticket key, RelayTicket.swift);
        // created on first use by whichever node needs one first.
        Migration("queue.5-secrets") { _ in
            ["CREATE TABLE queue_secret (name TEXT PRIMARY KEY, value TEXT NOT NULL)"]
        },
        // REQUIRETLS (RFC 8689 §4.1): the message leaves only over authenticated TLS to a next hop
        // that offers REQUIRETLS, else it bounces with 5.7.10.
        Migration("queue.6-requiretls") { _ in
            ["ALTER TABLE queue_message ADD COLUMN requiretls BOOLEAN NOT NULL DEFAULT FALSE"]
        },
    ]
}
