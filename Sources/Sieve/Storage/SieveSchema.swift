import Core

/// Sieve's tables (docs/sieve.md): the scripts (users', domains' and the site's), vacation
/// replies sent, duplicate ids seen, and the markers that make a delivery's replies and
/// redirects happen once.
public enum SieveSchema {
    public static let migrations: [Migration] = [
        Migration("sieve.1-scripts-vacation-duplicates") { db in
            [
                // `owner`: "account:<id>", "domain:<name>" or "site". A user's scripts are theirs
                // (ManageSieve, RFC 5804); a domain's and the site's `before` and `after` run
                // around every user's, and all of them are `include :global` targets.
                """
                CREATE TABLE sieve_script (
                  id \(db.autoIncrementPrimaryKey),
                  owner TEXT NOT NULL,
                  name TEXT NOT NULL,
                  content TEXT NOT NULL,
                  active BOOLEAN NOT NULL DEFAULT FALSE,
                  updated_at BIGINT NOT NULL,
                  last_error TEXT,
                  last_error_at BIGINT,
                  UNIQUE (owner, name))
                """,
                // RFC 5230 §4.2: one reply per sender (and handle) per period.
                """
                CREATE TABLE sieve_vacation (
                  account_id BIGINT NOT NULL,
                  sender_key TEXT NOT NULL,
                  handle TEXT NOT NULL,
                  expires_at BIGINT NOT NULL,
                  PRIMARY KEY (account_id, sender_key, handle))
                """,
                "CREATE INDEX sieve_vacation_expires ON sieve_vacation(expires_at)",
                // RFC 7352 §3: ids tracked for their period.
                """
                CREATE TABLE sieve_duplicate (
                  account_id BIGINT NOT NULL,
                  id_hash TEXT NOT NULL,
                  expires_at BIGINT NOT NULL,
                  PRIMARY KEY (account_id, id_hash))
                """,
                "CREATE INDEX sieve_duplicate_expires ON sieve_duplicate(expires_at)",
                // A reply or redirect queued for a delivery: inserted in the queue's own
                // transaction, so a delivery retried after a crash does not send it again.
                """
                CREATE TABLE sieve_sent (
                  action_key TEXT PRIMARY KEY,
                  account_id BIGINT NOT NULL,
                  kind TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX sieve_sent_account ON sieve_sent(account_id, kind, created_at)",
                "CREATE INDEX sieve_sent_created ON sieve_sent(created_at)",
            ]
        }
    ]
}
