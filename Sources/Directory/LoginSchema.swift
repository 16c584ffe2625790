import Core

/// The login audit table: every authentication attempt on any protocol (POP3, IMAP, SMTP AUTH…),
/// with the client's address and the outcome. `account_id` is NULL when the login named no
/// account; `reason` is a `LoginFailure` raw value (or another short code) for failures.
public enum LoginSchema {
    public static let migrations: [Migration] = [
        Migration("directory.login.1-login-event") { db in
            [
                """
                CREATE TABLE login_event (
                  id \(db.autoIncrementPrimaryKey),
                  account_id BIGINT NULL,
                  login TEXT NOT NULL,
                  ip TEXT NOT NULL,
                  protocol TEXT NOT NULL,
                  success BOOLEAN NOT NULL,
                  reason TEXT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX login_event_login_created ON login_event(login, created_at)",
                "CREATE INDEX login_event_ip_created ON login_event(ip, created_at)",
            ]
        },
        // The login throttle counts recent failures per address and per login on every attempt.
        Migration("directory.login.2-failure-indexes") { _ in
            [
                "CREATE INDEX login_event_failed_ip ON login_event(ip, created_at) WHERE NOT success",
                "CREATE INDEX login_event_failed_login ON login_event(login, created_at) WHERE NOT success",
            ]
        },
        // The throttle counts clients by `ClientKey` (an IPv6 /64 is one client), looks up a pair's
        // last success (trust), and the retention purge deletes by age. Earlier IPv4 successes get
        // their key, so trust survives the upgrade; earlier failures stop counting.
        Migration("directory.login.3-client-key") { _ in
            [
                "ALTER TABLE login_event ADD COLUMN client_key TEXT NULL",
                "CREATE INDEX login_event_failed_client ON login_event(client_key, created_at) WHERE NOT success",
                "CREATE INDEX login_event_success_pair ON login_event(login, client_key, created_at) WHERE success",
                "CREATE INDEX login_event_created ON login_event(created_at)",
                // IPv4 addresses only (no ':'); written with `replace` rather than a LIKE pattern (same rows).
                "UPDATE login_event SET client_key = ip WHERE success AND replace(ip, ':', '') = ip",
                // Nothing counts by the raw address any more.
                "DROP INDEX login_event_failed_ip",
            ]
        },
        // An administrator lifting a login's throttle marks its failures still in the window
        // (`LoginLog.lift`): they stay in the log, as failures, but the throttle's shared counts
        // skip them, on every node.
        Migration("directory.login.4-lifted") { _ in
            ["ALTER TABLE login_event ADD COLUMN lifted_at BIGINT NULL"]
        },
    ]
}
