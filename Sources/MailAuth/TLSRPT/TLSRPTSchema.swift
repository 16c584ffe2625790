import Core

/// TLS-RPT's tables (RFC 8460), all prefixed `tlsrpt_`.
///
/// - `tlsrpt_session`: outbound TLS sessions counted per reporting period (a UTC day), recipient
///   (policy) domain, policy (`policy_key`: SHA-256 of the policy's JSON, `''` for
///   no-policy-found), result (`''` for success, else an RFC 8460 §4.3 result type), MX host and IP.
///   The table grows with distinct outcomes, not with sessions.
/// - `tlsrpt_policy`: the policy each `policy_key` stands for in that period (JSON of
///   `TLSRPTReport.Policy`).
public enum TLSRPTSchema {
    public static let migrations: [Migration] = [
        Migration("mailauth.tlsrpt.1-sessions") { _ in
            [
                """
                CREATE TABLE tlsrpt_session (period_start BIGINT NOT NULL, policy_domain TEXT NOT NULL,
                  policy_key TEXT NOT NULL, result_type TEXT NOT NULL, receiving_mx TEXT NOT NULL,
                  receiving_ip TEXT NOT NULL, session_count BIGINT NOT NULL, detail TEXT NOT NULL,
                  PRIMARY KEY (period_start, policy_domain, policy_key, result_type, receiving_mx, receiving_ip))
                """,
                """
                CREATE TABLE tlsrpt_policy (period_start BIGINT NOT NULL, policy_domain TEXT NOT NULL,
                  policy_key TEXT NOT NULL, policy TEXT NOT NULL,
                  PRIMARY KEY (period_start, policy_domain, policy_key))
                """,
            ]
        },
        // The reports already sent (one row per period and domain, claimed before the message is
        // queued, so that two nodes never both send one).
        Migration("mailauth.tlsrpt.2-sent") { _ in
            [
                """
                CREATE TABLE tlsrpt_sent (period_start BIGINT NOT NULL, policy_domain TEXT NOT NULL,
                  sent_at BIGINT NOT NULL, PRIMARY KEY (period_start, policy_domain))
                """
            ]
        },
        // Reports other senders sent about the site's domains, once per organization and report-id.
        Migration("mailauth.tlsrpt.3-received") { db in
            [
                """
                CREATE TABLE tlsrpt_received (id \(db.autoIncrementPrimaryKey), organization_name TEXT NOT NULL,
                  report_id TEXT NOT NULL, start_datetime TEXT NOT NULL, received_at BIGINT NOT NULL, report TEXT NOT NULL,
                  UNIQUE (organization_name, report_id))
                """
            ]
        },
    ]
}
