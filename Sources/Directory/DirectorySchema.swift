import Core

/// The directory's tables. `*_key` columns hold the lower-cased form that lookups match on.
public enum DirectorySchema {
    public static let migrations: [Migration] = [
        Migration("directory.1-domains-accounts-aliases") { db in
            [
                """
                CREATE TABLE domain (
                  id \(db.autoIncrementPrimaryKey),
                  name TEXT NOT NULL UNIQUE,
                  created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE account (
                  id \(db.autoIncrementPrimaryKey),
                  domain_id BIGINT NOT NULL REFERENCES domain(id),
                  address_key TEXT NOT NULL UNIQUE,
                  address TEXT NOT NULL,
                  display_name TEXT NOT NULL DEFAULT '',
                  password TEXT NOT NULL,
                  quota_bytes BIGINT NOT NULL DEFAULT 0,
                  enabled BOOLEAN NOT NULL DEFAULT TRUE,
                  created_at BIGINT NOT NULL,
                  last_login_at BIGINT)
                """,
                "CREATE INDEX account_domain ON account(domain_id)",
                """
                CREATE TABLE alias (
                  id \(db.autoIncrementPrimaryKey),
                  domain_id BIGINT NOT NULL REFERENCES domain(id),
                  source_key TEXT NOT NULL,
                  target TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  UNIQUE (source_key, target))
                """,
                "CREATE INDEX alias_domain ON alias(domain_id)",
            ]
        },
        // Ending sessions: disabling an account, changing its password or deleting it raises the
        // account's generation and writes a `session_revocation` row in the same transaction; every
        // `posta serve` polls the recent rows (and, on PostgreSQL, is woken by NOTIFY) and closes the
        // account's sessions authenticated under an older generation. Rows are purged after a day.
        Migration("directory.2-session-revocation") { db in
            [
                "ALTER TABLE account ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0",
                """
                CREATE TABLE session_revocation (
                  id \(db.autoIncrementPrimaryKey),
                  account_id BIGINT NOT NULL,
                  generation BIGINT NOT NULL,
                  reason TEXT NOT NULL,
                  created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX session_revocation_created ON session_revocation(created_at)",
            ]
        },
        // Accounts of LDAP domains (`[[directory.ldap]]`): the entry's stable id (entryUUID) keys
        // the local record that holds the account's mail, so a renamed entry keeps it.
        Migration("directory.3-external-account-id") { db in
            [
                "ALTER TABLE account ADD COLUMN external_id TEXT",
                "CREATE UNIQUE INDEX account_external_id ON account(external_id)",
            ]
        },
    ]
}
