import Core

/// The MTA-STS policy cache: one row per recipient domain with the last policy fetched for it
/// (JSON of `MTASTSPolicy`), the TXT `id` it was fetched under, and when it expires (fetch time +
/// `max_age`, RFC 8461 §5.1). A row is replaced only by a newer valid policy; an expired row
/// stays until then (it is never used).
public enum MTASTSSchema {
    public static let migrations: [Migration] = [
        Migration("mailauth.mtasts.1-policy-cache") { _ in
            [
                """
                CREATE TABLE mta_sts_policy (domain TEXT NOT NULL PRIMARY KEY, policy_id TEXT NOT NULL,
                  policy TEXT NOT NULL, fetched_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
                """
            ]
        }
    ]
}
