import Core

/// DMARC's tables, all prefixed `dmarc_`.
///
/// - `dmarc_report` / `dmarc_report_row`: aggregate reports other receivers sent about the site's
///   domains (RFC 9990), one row per report `record`. A report is stored once: its reporter,
///   policy domain and Report-ID are unique (RFC 9990 §3.5.4, duplicates are discarded).
/// - `dmarc_evaluation`: what Posta's own DMARC checks found, counted per reporting period (a UTC
///   day), policy domain and distinct report record (`row_key`, a SHA-256 of the record's JSON), so
///   that the table grows with distinct outcomes, not with messages.
/// - `dmarc_policy_seen`: the last record seen for each policy domain in a period, which the
///   period's report publishes (RFC 9990 §3.1: one policy configuration per report).
/// - `dmarc_report_sent`: the reports Posta has sent (or is sending: a node claims a domain and
///   period before it sends, so that several nodes send each report once) and what became of them.
/// - `report_import_position`: the last UID of a report address's mailbox read, per kind of
///   report (DMARC, TLS-RPT: `ReportImportPositions`).
public enum DMARCSchema {
    public static let migrations: [Migration] = [
        Migration("dmarc.1-reports-evaluations") { db in
            let id = db.autoIncrementPrimaryKey
            return [
                """
                CREATE TABLE dmarc_report (id \(id), org_name TEXT NOT NULL, email TEXT NOT NULL, report_id TEXT NOT NULL,
                  policy_domain TEXT NOT NULL, date_begin BIGINT NOT NULL, date_end BIGINT NOT NULL,
                  received_at BIGINT NOT NULL, policy TEXT NOT NULL, errors TEXT NOT NULL,
                  UNIQUE (org_name, policy_domain, report_id))
                """,
                "CREATE INDEX dmarc_report_domain ON dmarc_report (policy_domain, date_begin)",
                """
                CREATE TABLE dmarc_report_row (id \(id),
                  report BIGINT NOT NULL REFERENCES dmarc_report(id) ON DELETE CASCADE, source_ip TEXT NOT NULL,
                  message_count BIGINT NOT NULL, disposition TEXT NOT NULL, dkim_aligned BIGINT NOT NULL,
                  spf_aligned BIGINT NOT NULL, header_from TEXT NOT NULL, envelope_from TEXT NOT NULL, detail TEXT NOT NULL)
                """,
                "CREATE INDEX dmarc_report_row_report ON dmarc_report_row (report)",
                """
                CREATE TABLE dmarc_evaluation (period_start BIGINT NOT NULL, policy_domain TEXT NOT NULL,
                  row_key TEXT NOT NULL, record TEXT NOT NULL, message_count BIGINT NOT NULL, last_seen BIGINT NOT NULL,
                  PRIMARY KEY (period_start, policy_domain, row_key))
                """,
                """
                CREATE TABLE dmarc_policy_seen (period_start BIGINT NOT NULL, policy_domain TEXT NOT NULL,
                  policy TEXT NOT NULL, report_uris TEXT NOT NULL, last_seen BIGINT NOT NULL,
                  PRIMARY KEY (period_start, policy_domain))
                """,
            ]
        },
        Migration("dmarc.2-report-sending-import") { db in
            [
                """
                CREATE TABLE dmarc_report_sent (period_start BIGINT NOT NULL, policy_domain TEXT NOT NULL,
                  claimed_at BIGINT NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (period_start, policy_domain))
                """,
                """
                CREATE TABLE report_import_position (kind TEXT NOT NULL, mailbox_id BIGINT NOT NULL,
                  uidvalidity BIGINT NOT NULL, last_uid BIGINT NOT NULL, PRIMARY KEY (kind, mailbox_id))
                """,
            ]
        },
    ]
}
