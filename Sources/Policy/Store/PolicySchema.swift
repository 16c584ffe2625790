import Core

/// The policy engine's tables: definitions (policies, members, groups, rules) and shared state
/// (quota counters, greylist triplets, HELO history, accounting), all prefixed `policy_`.
public enum PolicySchema {
    public static let migrations: [Migration] = [
        Migration("policy.1-policies-state") { db in
            let id = db.autoIncrementPrimaryKey
            return [
                """
                CREATE TABLE policy_policy (id \(id), name TEXT NOT NULL UNIQUE, priority BIGINT NOT NULL,
                  enabled BIGINT NOT NULL DEFAULT 1, description TEXT NOT NULL DEFAULT '')
                """,
                """
                CREATE TABLE policy_member (id \(id),
                  policy_id BIGINT NOT NULL REFERENCES policy_policy(id) ON DELETE CASCADE,
                  attribute TEXT NOT NULL, pattern TEXT NOT NULL, negate BIGINT NOT NULL DEFAULT 0)
                """,
                "CREATE TABLE policy_group (id \(id), name TEXT NOT NULL UNIQUE)",
                """
                CREATE TABLE policy_group_entry (id \(id),
                  group_id BIGINT NOT NULL REFERENCES policy_group(id) ON DELETE CASCADE, pattern TEXT NOT NULL,
                  UNIQUE (group_id, pattern))
                """,
                """
                CREATE TABLE policy_rule (id \(id),
                  policy_id BIGINT NOT NULL REFERENCES policy_policy(id) ON DELETE CASCADE,
                  module TEXT NOT NULL, settings TEXT NOT NULL, enabled BIGINT NOT NULL DEFAULT 1)
                """,
                """
                CREATE TABLE policy_quota_counter (rule_id BIGINT NOT NULL, track_key TEXT NOT NULL,
                  window_start BIGINT NOT NULL, messages BIGINT NOT NULL, bytes BIGINT NOT NULL,
                  PRIMARY KEY (rule_id, track_key, window_start))
                """,
                """
                CREATE TABLE policy_greylist_triplet (network TEXT NOT NULL, sender TEXT NOT NULL,
                  recipient TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
                  passed BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (network, sender, recipient))
                """,
                """
                CREATE TABLE policy_greylist_client (network TEXT PRIMARY KEY, passes BIGINT NOT NULL,
                  last_seen BIGINT NOT NULL)
                """,
                """
                CREATE TABLE policy_helo_seen (client TEXT NOT NULL, helo TEXT NOT NULL, last_seen BIGINT NOT NULL,
                  PRIMARY KEY (client, helo))
                """,
                """
                CREATE TABLE policy_accounting (rule_id BIGINT NOT NULL, window_start BIGINT NOT NULL,
                  messages BIGINT NOT NULL, bytes BIGINT NOT NULL, PRIMARY KEY (rule_id, window_start))
                """,
            ]
        }
    ]
}
