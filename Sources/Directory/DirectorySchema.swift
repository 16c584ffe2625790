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
        }
    ]
}
