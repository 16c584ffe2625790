import Core

/// The administration tables.
///
/// - `admin_user`: one row per administrator. `login` is lower case and unique; `password` is a
///   `StoredPassword` string from `PasswordHasher` (never shown, never audited); `role` is an
///   `AdminRole` raw value; `totp_secret` is the RFC 6238 shared secret in base32 (NULL: no second
///   factor; `totp_enabled` says whether logins need it) and `totp_last_step` the last time step
///   a code was accepted for, so a code is never accepted twice (RFC 6238 §5.2).
/// - `admin_domain`: the domains an administrator acts on (`domain` lower case). A domain admin has
///   at least one; a superadmin none; a helpdesk none (every domain) or some. Rows go with their
///   administrator (deleted in the same transaction).
/// - `admin_session`: console sessions. `token_hash` is the hex SHA-256 of the cookie value (the
///   value itself is never stored); `csrf` is the form token; a session is valid while
///   `last_seen_at + idle` and `expires_at` (login + lifetime) are both in the future. Exactly one
///   of `admin_id` (an administrator) and `account_id` (a mail user, self-service) is set.
///   Expired rows are purged on each login.
/// - `admin_token`: API bearer tokens of an administrator; `token_hash` is the hex SHA-256 of the
///   token. Deleting the row revokes the token.
/// - `admin_audit`: one row per change made through `AdminConsole`, never updated or deleted by it.
///   `actor` is `admin:<login>`, `user:<address>` or `cli:<unix user>`; `before`/`after` are JSON
///   of the record (never password hashes, secrets or tokens); `credential` names the API token
///   used (`token:<id> <name>`, never the token itself). Indexed for the filters (actor,
///   action, target, time) with `id` as the paging key (newest first).
public enum AdminSchema {
    public static let migrations: [Migration] = [
        Migration("admin.1-administrators-sessions-tokens-audit") { db in
            [
                """
                CREATE TABLE admin_user (
                  id \(db.autoIncrementPrimaryKey),
                  login TEXT NOT NULL UNIQUE,
                  display_name TEXT NOT NULL DEFAULT '',
                  role TEXT NOT NULL,
                  password TEXT NOT NULL,
                  totp_secret TEXT NULL,
                  totp_enabled BOOLEAN NOT NULL DEFAULT FALSE,
                  totp_last_step BIGINT NOT NULL DEFAULT 0,
                  enabled BOOLEAN NOT NULL DEFAULT TRUE,
                  created_at BIGINT NOT NULL,
                  last_login_at BIGINT NULL)
                """,
                """
                CREATE TABLE admin_domain (
                  admin_id BIGINT NOT NULL REFERENCES admin_user(id) ON DELETE CASCADE,
                  domain TEXT NOT NULL,
                  PRIMARY KEY (admin_id, domain))
                """,
                """
                CREATE TABLE admin_session (
                  id \(db.autoIncrementPrimaryKey),
                  token_hash TEXT NOT NULL UNIQUE,
                  csrf TEXT NOT NULL,
                  admin_id BIGINT NULL REFERENCES admin_user(id) ON DELETE CASCADE,
                  account_id BIGINT NULL,
                  created_at BIGINT NOT NULL,
                  last_seen_at BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL,
                  client_ip TEXT NOT NULL)
                """,
                "CREATE INDEX admin_session_expires ON admin_session(expires_at)",
                """
                CREATE TABLE admin_token (
                  id \(db.autoIncrementPrimaryKey),
                  admin_id BIGINT NOT NULL REFERENCES admin_user(id) ON DELETE CASCADE,
                  token_hash TEXT NOT NULL UNIQUE,
                  name TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  last_used_at BIGINT NULL)
                """,
                """
                CREATE TABLE admin_audit (
                  id \(db.autoIncrementPrimaryKey),
                  at BIGINT NOT NULL,
                  actor TEXT NOT NULL,
                  channel TEXT NOT NULL,
                  client_ip TEXT NULL,
                  action TEXT NOT NULL,
                  target TEXT NOT NULL,
                  before_json TEXT NULL,
                  after_json TEXT NULL)
                """,
                "CREATE INDEX admin_audit_actor ON admin_audit(actor, id)",
                "CREATE INDEX admin_audit_action ON admin_audit(action, id)",
                "CREATE INDEX admin_audit_target ON admin_audit(target, id)",
                "CREATE INDEX admin_audit_at ON admin_audit(at)",
            ]
        },
        // The API token behind a change (`token:<id> <name>`).
        Migration("admin.2-audit-credential") { _ in
            ["ALTER TABLE admin_audit ADD COLUMN credential TEXT NULL"]
        },
    ]
}
