import Core
import Crypto
import Foundation
import MailAuth
import SQLKit

/// Posta's own DMARC results, kept for the aggregate reports it sends (RFC 9989 §5.3.7, RFC 9990):
/// counted per reporting period (a UTC day), policy domain and distinct report record.
public struct DMARCEvaluationStore: Sendable {
    public let database: Database
    /// A reporting period: one UTC day (RFC 9990 §3.1.1.4: typically beginning at 0000 UTC).
    public static let periodLength: Int64 = 86_400

    public init(database: Database) {
        self.database = database
    }

    /// The start of the period that holds `time`.
    public static func periodStart(of time: Int64) -> Int64 { UnixTime.dayStart(of: time) }

    /// Counts one evaluated message. Results without a policy record (none, temperror,
    /// permerror) are not reported and not stored; returns whether it was counted.
    @discardableResult
    public func record(
        _ evaluation: DMARCEvaluation, message: DMARCMessage, sourceIP: String, envelopeFrom: String?, envelopeTo: String? = nil,
        at time: Int64
    ) async throws -> Bool {
        guard let policyDomain = evaluation.policyDomain, let dmarcRecord = evaluation.record,
            let record = DMARCEvaluationRecord(
                evaluation: evaluation, message: message, sourceIP: sourceIP, envelopeFrom: envelopeFrom, envelopeTo: envelopeTo)
        else { return false }
        let recordJSON = try DMARCReportStore.json(record)
        let rowKey = SHA256.hash(data: recordJSON).map { String(format: "%02x", $0) }.joined()
        let policy = String(
            decoding: try DMARCReportStore.json(DMARCPolicyPublished(domain: policyDomain, record: dmarcRecord)), as: UTF8.self)
        let uris = String(decoding: try DMARCReportStore.json(dmarcRecord.aggregateReportURIs.map(\.uri)), as: UTF8.self)
        let period = Self.periodStart(of: time)
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO dmarc_evaluation (period_start, policy_domain, row_key, record, message_count, last_seen)
                VALUES (\(bind: period), \(bind: policyDomain), \(bind: rowKey), \(bind: String(decoding: recordJSON, as: UTF8.self)), 1, \(bind: time))
                ON CONFLICT (period_start, policy_domain, row_key)
                DO UPDATE SET message_count = dmarc_evaluation.message_count + 1, last_seen = excluded.last_seen
                """
            ).run()
            // RFC 9990 §3.1: one policy configuration per report, the last one seen.
            try await db.raw(
                """
                INSERT INTO dmarc_policy_seen (period_start, policy_domain, policy, report_uris, last_seen)
                VALUES (\(bind: period), \(bind: policyDomain), \(bind: policy), \(bind: uris), \(bind: time))
                ON CONFLICT (period_start, policy_domain)
                DO UPDATE SET policy = excluded.policy, report_uris = excluded.report_uris, last_seen = excluded.last_seen
                WHERE excluded.last_seen >= dmarc_policy_seen.last_seen
                """
            ).run()
        }
        return true
    }

    /// The policy domains with results in the period starting at `periodStart`, with the `rua`
    /// URIs of their last record (empty when the domain asked for no reports).
    public func domains(periodStart: Int64) async throws -> [(domain: String, reportURIs: [String])] {
        try await database.snapshot { db in
            try await db.raw(
                "SELECT policy_domain, report_uris FROM dmarc_policy_seen WHERE period_start = \(bind: periodStart) ORDER BY policy_domain"
            ).all().map { row in
                let uris = try JSONDecoder().decode(
                    [String].self, from: Data(try row.decode(column: "report_uris", as: String.self).utf8))
                return (try row.decode(column: "policy_domain", as: String.self), uris)
            }
        }
    }

    /// The aggregate report Posta sends `domain` for the period starting at `periodStart`; nil when
    /// no message of that policy domain was evaluated then.
    public func aggregateReport(domain: String, periodStart: Int64, reporter: DMARCReporter) async throws -> DMARCFeedback? {
        let name = DMARCDomain(domain)?.name ?? domain.lowercased()
        let loaded = try await database.snapshot { db -> (String, [(String, Int64)])? in
            guard
                let policy = try await db.raw(
                    "SELECT policy FROM dmarc_policy_seen WHERE period_start = \(bind: periodStart) AND policy_domain = \(bind: name)"
                ).first()?.decode(column: "policy", as: String.self)
            else { return nil }
            let rows = try await db.raw(
                """
                SELECT record, message_count FROM dmarc_evaluation
                WHERE period_start = \(bind: periodStart) AND policy_domain = \(bind: name) ORDER BY record
                """
            ).all().map {
                (try $0.decode(column: "record", as: String.self), try $0.decode(column: "message_count", as: Int64.self))
            }
            return (policy, rows)
        }
        guard let (policyJSON, rows) = loaded else { return nil }
        let decoder = JSONDecoder()
        var builder = DMARCAggregateBuilder(
            policyPublished: try decoder.decode(DMARCPolicyPublished.self, from: Data(policyJSON.utf8)))
        for (json, count) in rows {
            builder.add(try decoder.decode(DMARCEvaluationRecord.self, from: Data(json.utf8)), count: count)
        }
        let metadata = DMARCReportMetadata(
            orgName: reporter.orgName, email: reporter.email,
            extraContactInfo: reporter.extraContactInfo.map { DMARCReportText($0) },
            reportID: reporter.reportID(policyDomain: name, periodStart: periodStart),
            dateRange: DMARCDateRange(begin: periodStart, end: periodStart + Self.periodLength - 1), generator: reporter.generator
        )
        return builder.build(metadata: metadata)
    }

    /// Per source IP: messages, aligned DKIM/SPF passes, by policy domain and disposition, over the
    /// periods that start in `[since, until)`.
    public func sources(domain: String? = nil, since: Int64? = nil, until: Int64? = nil) async throws -> [DMARCSourceSummary] {
        var query: SQLQueryString =
            "SELECT policy_domain, record, message_count FROM dmarc_evaluation WHERE 1 = 1"
        if let domain { query += " AND policy_domain = \(bind: DMARCDomain(domain)?.name ?? domain.lowercased())" }
        if let since { query += " AND period_start >= \(bind: Self.periodStart(of: since))" }
        if let until { query += " AND period_start < \(bind: until)" }
        let finished = query
        let rows = try await database.snapshot { db in
            try await db.raw(finished).all().map {
                (
                    try $0.decode(column: "policy_domain", as: String.self), try $0.decode(column: "record", as: String.self),
                    try $0.decode(column: "message_count", as: Int64.self)
                )
            }
        }
        struct Key: Hashable {
            var domain, source, disposition: String
        }
        var totals: [Key: DMARCSourceSummary] = [:]
        let decoder = JSONDecoder()
        for (domain, json, count) in rows {
            let record = try decoder.decode(DMARCEvaluationRecord.self, from: Data(json.utf8))
            let key = Key(domain: domain, source: record.sourceIP, disposition: record.disposition.rawValue)
            var summary =
                totals[key]
                ?? DMARCSourceSummary(
                    domain: domain, sourceIP: record.sourceIP, disposition: record.disposition.rawValue, messages: 0, dkimPass: 0,
                    spfPass: 0, dmarcPass: 0, reporters: 1)
            summary.messages &+= count
            if record.dkimAligned { summary.dkimPass &+= count }
            if record.spfAligned { summary.spfPass &+= count }
            if record.dkimAligned || record.spfAligned { summary.dmarcPass &+= count }
            totals[key] = summary
        }
        return totals.values.sorted { ($0.domain, -$0.messages, $0.sourceIP) < ($1.domain, -$1.messages, $1.sourceIP) }
    }

    /// Forgets the periods that start before `time`; returns how many rows went.
    @discardableResult
    public func purge(before time: Int64) async throws -> Int {
        try await database.transaction { db in
            let count =
                try await db.raw("SELECT COUNT(*) AS n FROM dmarc_evaluation WHERE period_start < \(bind: time)")
                .first()?.decode(column: "n", as: Int64.self) ?? 0
            try await db.raw("DELETE FROM dmarc_evaluation WHERE period_start < \(bind: time)").run()
            try await db.raw("DELETE FROM dmarc_policy_seen WHERE period_start < \(bind: time)").run()
            return Int(count)
        }
    }
}

/// Who Posta says it is in the reports it writes (RFC 9990 §3.1.1.3).
public struct DMARCReporter: Sendable, Hashable {
    /// `org_name`.
    public var orgName: String
    /// `email`: where the Domain Owner can write back.
    public var email: String
    /// The receiver's domain: in the Report-ID and the file name (RFC 9990 §3.5.1, §3.5.2).
    public var domain: String
    public var extraContactInfo: String?
    public var generator: String?

    public init(orgName: String, email: String, domain: String, extraContactInfo: String? = nil, generator: String? = "Posta") {
        self.orgName = orgName
        self.email = email
        self.domain = domain
        self.extraContactInfo = extraContactInfo
        self.generator = generator
    }

    /// `ridfmt` (RFC 9990 §3.5.1): `<period start>.<policy domain>@<receiver domain>`, unique per
    /// domain and period and the same when a report is sent again.
    public func reportID(policyDomain: String, periodStart: Int64) -> String {
        "\(periodStart).\(policyDomain)@\(domain)"
    }

    /// The attachment name of the report (RFC 9990 §3.5.2).
    public func filename(policyDomain: String, periodStart: Int64, gzip: Bool) -> DMARCReportFilename {
        DMARCReportFilename(
            receiver: domain, policyDomain: policyDomain, begin: periodStart,
            end: periodStart + DMARCEvaluationStore.periodLength - 1, gzip: gzip)
    }
}
