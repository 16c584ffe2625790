import Core
import SQLKit

/// Which aggregate reports Posta has sent, so that each domain gets one report per period even
/// with several nodes sending (`dmarc_report_sent`).
public struct DMARCReportLedger: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Takes the report of `domain` for the period starting at `periodStart` for this node; false
    /// when it was taken before (sent, or being sent by another node).
    public func claim(domain: String, periodStart: Int64, at time: Int64) async throws -> Bool {
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO dmarc_report_sent (period_start, policy_domain, claimed_at, outcome)
                VALUES (\(bind: periodStart), \(bind: domain), \(bind: time), 'sending')
                ON CONFLICT (period_start, policy_domain) DO NOTHING RETURNING period_start
                """
            ).first() != nil
        }
    }

    /// What became of a claimed report, e.g. "sent to …; refused …".
    public func finish(domain: String, periodStart: Int64, outcome: String) async throws {
        try await database.withConnection { db in
            try await db.raw(
                """
                UPDATE dmarc_report_sent SET outcome = \(bind: outcome)
                WHERE period_start = \(bind: periodStart) AND policy_domain = \(bind: domain)
                """
            ).run()
        }
    }

    /// Gives a claim back, so that a later run tries again (a DNS failure met before anything was sent).
    public func release(domain: String, periodStart: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw(
                "DELETE FROM dmarc_report_sent WHERE period_start = \(bind: periodStart) AND policy_domain = \(bind: domain)"
            ).run()
        }
    }

    /// The outcome recorded for a report, or nil when none was claimed.
    public func outcome(domain: String, periodStart: Int64) async throws -> String? {
        try await database.snapshot { db in
            try await db.raw(
                "SELECT outcome FROM dmarc_report_sent WHERE period_start = \(bind: periodStart) AND policy_domain = \(bind: domain)"
            ).first()?.decode(column: "outcome", as: String.self)
        }
    }

    /// Forgets sent-report entries of periods that start before `time`.
    public func purge(before time: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM dmarc_report_sent WHERE period_start < \(bind: time)").run()
        }
    }
}
