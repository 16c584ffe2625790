import Core

/// The DKIM key table. Invariants: (`domain`, `selector`) is unique over the table's whole
/// history, so a selector is never reused (verifiers and DNS caches may still hold the old
/// key); at most one `active` key per domain and algorithm (the partial unique index), which is
/// the key that signs; `private_key` is empty for `retired` rows.
public enum DKIMKeySchema {
    public static let migrations: [Migration] = [
        Migration("mailauth.dkim.1-keys") { db in
            [
                """
                CREATE TABLE dkim_key (
                  id \(db.autoIncrementPrimaryKey),
                  domain TEXT NOT NULL,
                  selector TEXT NOT NULL,
                  algorithm TEXT NOT NULL,
                  bits BIGINT NOT NULL,
                  private_key TEXT NOT NULL,
                  public_key TEXT NOT NULL,
                  state TEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  retire_after BIGINT NULL,
                  retired_at BIGINT NULL,
                  UNIQUE (domain, selector))
                """,
                "CREATE UNIQUE INDEX dkim_key_one_active ON dkim_key(domain, algorithm) WHERE state = 'active'",
            ]
        }
    ]
}
