import Core
import Foundation
import MailAuth
import SQLKit

/// Aggregate reports received for the site's domains (RFC 9990): imported from what arrives at a
/// report address (XML, gzip, zip, or a whole message) and summarized per sending source.
public struct DMARCReportStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Reads every report in `payload` (see `DMARCReportPayload`) and stores those not yet stored.
    public func importReports(
        from payload: [UInt8], receivedAt: Int64, limits: DMARCReportLimits = DMARCReportLimits()
    ) async throws -> [DMARCImportedReport] {
        var imported: [DMARCImportedReport] = []
        for report in try DMARCReportPayload.reports(in: payload, limits: limits) {
            imported.append(try await store(report, receivedAt: receivedAt))
        }
        return imported
    }

    /// Deletes the reports whose period ended before `time`; returns how many went.
    @discardableResult
    public func purge(before time: Int64) async throws -> Int {
        try await database.transaction { db in
            let count =
                try await db.raw("SELECT COUNT(*) AS n FROM dmarc_report WHERE date_end < \(bind: time)")
                .first()?.decode(column: "n", as: Int64.self) ?? 0
            // Rows first: SQLite enforces ON DELETE CASCADE only with foreign keys switched on.
            try await db.raw(
                "DELETE FROM dmarc_report_row WHERE report IN (SELECT id FROM dmarc_report WHERE date_end < \(bind: time))"
            ).run()
            try await db.raw("DELETE FROM dmarc_report WHERE date_end < \(bind: time)").run()
            return Int(count)
        }
    }

    /// Stores one report; a report already stored (same reporter, policy domain and Report-ID) is
    /// left as it is (RFC 9990 §3.5.4: duplicates are discarded).
    public func store(_ report: DMARCFeedback, receivedAt: Int64) async throws -> DMARCImportedReport {
        let orgName = Self.clip(report.metadata.orgName)
        let domain = Self.clip(DMARCDomain(report.policyPublished.domain)?.name ?? report.policyPublished.domain.lowercased())
        let reportID = Self.clip(report.metadata.reportID)
        var summary = DMARCImportedReport(
            orgName: orgName, reportID: reportID, policyDomain: domain, begin: report.metadata.dateRange.begin,
            end: report.metadata.dateRange.end, records: report.records.count,
            messages: report.records.reduce(Int64(0)) { $0 &+ max(0, $1.row.count) }, duplicate: false)
        let policy = String(decoding: try Self.json(report.policyPublished), as: UTF8.self)
        let errors = Self.clip(report.metadata.errors.joined(separator: "; "), 2000)
        let rows = try report.records.map { record -> (DMARCReportRecord, String) in
            let detail = DMARCReportRowDetail(
                envelopeTo: record.identifiers.envelopeTo, reasons: record.row.policyEvaluated.reasons,
                dkim: Array(record.authResults.dkim.prefix(DMARCEvaluationRecord.maxDKIMResults)), spf: record.authResults.spf)
            return (record, String(decoding: try Self.json(detail), as: UTF8.self))
        }
        let duplicate = try await database.transaction { db -> Bool in
            let existing = try await db.raw(
                """
                SELECT id FROM dmarc_report WHERE org_name = \(bind: orgName) AND policy_domain = \(bind: domain)
                  AND report_id = \(bind: reportID)
                """
            ).first()
            if existing != nil { return true }
            let id = try await db.raw(
                """
                INSERT INTO dmarc_report (org_name, email, report_id, policy_domain, date_begin, date_end, received_at, policy, errors)
                VALUES (\(bind: orgName), \(bind: Self.clip(report.metadata.email)), \(bind: reportID), \(bind: domain),
                  \(bind: report.metadata.dateRange.begin), \(bind: report.metadata.dateRange.end), \(bind: receivedAt),
                  \(bind: policy), \(bind: errors))
                RETURNING id
                """
            ).first()?.decode(column: "id", as: Int64.self)
            guard let id else { throw DMARCStoreError("the report row was not created") }
            for (record, detail) in rows {
                let evaluated = record.row.policyEvaluated
                try await db.raw(
                    """
                    INSERT INTO dmarc_report_row (report, source_ip, message_count, disposition, dkim_aligned, spf_aligned,
                      header_from, envelope_from, detail)
                    VALUES (\(bind: id), \(bind: Self.clip(record.row.sourceIP, 64)), \(bind: max(0, record.row.count)),
                      \(bind: evaluated.disposition.rawValue), \(bind: evaluated.dkim == .pass ? 1 : 0),
                      \(bind: evaluated.spf == .pass ? 1 : 0), \(bind: Self.clip(record.identifiers.headerFrom.lowercased())),
                      \(bind: Self.clip(record.identifiers.envelopeFrom?.lowercased() ?? "")), \(bind: detail))
                    """
                ).run()
            }
            return false
        }
        summary.duplicate = duplicate
        return summary
    }

    /// ` AND r.policy_domain IN (...)` for `domains` (none: a condition nothing meets); "" for nil.
    static func inDomains(_ domains: Set<String>?) -> SQLQueryString {
        guard let domains else { return "" }
        guard !domains.isEmpty else { return " AND 1 = 0" }
        return " AND r.policy_domain IN (\(SQLList(domains.sorted().map { SQLBind($0) })))"
    }

    /// Per sending source: messages and aligned DKIM/SPF passes and fails, by policy domain and
    /// disposition, over the reports whose period overlaps `[since, until)`; only of `domains`
    /// when given, at most `limit` rows when given.
    public func sources(
        domain: String? = nil, domains: Set<String>? = nil, since: Int64? = nil, until: Int64? = nil, limit: Int? = nil
    ) async throws -> [DMARCSourceSummary] {
        var query: SQLQueryString = """
            SELECT r.policy_domain AS domain, w.source_ip AS source_ip, w.disposition AS disposition,
              CAST(SUM(w.message_count) AS BIGINT) AS messages,
              CAST(SUM(CASE WHEN w.dkim_aligned = 1 THEN w.message_count ELSE 0 END) AS BIGINT) AS dkim_pass,
              CAST(SUM(CASE WHEN w.spf_aligned = 1 THEN w.message_count ELSE 0 END) AS BIGINT) AS spf_pass,
              CAST(SUM(CASE WHEN w.dkim_aligned = 1 OR w.spf_aligned = 1 THEN w.message_count ELSE 0 END) AS BIGINT) AS dmarc_pass,
              CAST(COUNT(DISTINCT r.org_name) AS BIGINT) AS reporters
            FROM dmarc_report_row w JOIN dmarc_report r ON r.id = w.report WHERE 1 = 1
            """
        if let domain { query += " AND r.policy_domain = \(bind: DMARCDomain(domain)?.name ?? domain.lowercased())" }
        if let since { query += " AND r.date_end >= \(bind: since)" }
        if let until { query += " AND r.date_begin < \(bind: until)" }
        query += Self.inDomains(domains)
        query += " GROUP BY r.policy_domain, w.source_ip, w.disposition ORDER BY r.policy_domain, messages DESC, w.source_ip"
        if let limit { query += " LIMIT \(literal: max(0, limit))" }
        let finished = query
        return try await database.snapshot { db in
            try await db.raw(finished).all().map(DMARCSourceSummary.init(row:))
        }
    }

    /// The stored reports, newest period first; only of `domains` when given, at most `limit`
    /// when given.
    public func reports(domain: String? = nil, domains: Set<String>? = nil, since: Int64? = nil, limit: Int? = nil)
        async throws -> [DMARCImportedReport]
    {
        var query: SQLQueryString = """
            SELECT r.org_name, r.report_id, r.policy_domain, r.date_begin, r.date_end,
              CAST(COUNT(w.id) AS BIGINT) AS records, CAST(COALESCE(SUM(w.message_count), 0) AS BIGINT) AS messages
            FROM dmarc_report r LEFT JOIN dmarc_report_row w ON w.report = r.id WHERE 1 = 1
            """
        if let domain { query += " AND r.policy_domain = \(bind: DMARCDomain(domain)?.name ?? domain.lowercased())" }
        if let since { query += " AND r.date_end >= \(bind: since)" }
        query += Self.inDomains(domains)
        query +=
            " GROUP BY r.id, r.org_name, r.report_id, r.policy_domain, r.date_begin, r.date_end ORDER BY r.date_begin DESC, r.org_name"
        if let limit { query += " LIMIT \(literal: max(0, limit))" }
        let finished = query
        return try await database.snapshot { db in
            try await db.raw(finished).all().map { row in
                DMARCImportedReport(
                    orgName: try row.decode(column: "org_name", as: String.self),
                    reportID: try row.decode(column: "report_id", as: String.self),
                    policyDomain: try row.decode(column: "policy_domain", as: String.self),
                    begin: try row.decode(column: "date_begin", as: Int64.self),
                    end: try row.decode(column: "date_end", as: Int64.self),
                    records: Int(try row.decode(column: "records", as: Int64.self)),
                    messages: try row.decode(column: "messages", as: Int64.self), duplicate: false)
            }
        }
    }

    static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Text from a report, cut to a bounded length for storage.
    static func clip(_ text: String, _ length: Int = 255) -> String {
        text.count <= length ? text : String(text.prefix(length))
    }
}

/// What importing one report did.
public struct DMARCImportedReport: Sendable, Hashable, Codable {
    public var orgName: String
    public var reportID: String
    public var policyDomain: String
    public var begin: Int64
    public var end: Int64
    public var records: Int
    public var messages: Int64
    /// True when the report had been stored before and was left alone.
    public var duplicate: Bool

    enum CodingKeys: String, CodingKey {
        case orgName = "org_name"
        case reportID = "report_id"
        case policyDomain = "policy_domain"
        case begin, end, records, messages, duplicate
    }
}

/// One sending source of a domain, as reports describe it.
public struct DMARCSourceSummary: Sendable, Hashable, Codable {
    public var domain: String
    public var sourceIP: String
    public var disposition: String
    public var messages: Int64
    public var dkimPass: Int64
    public var spfPass: Int64
    /// Messages with DKIM or SPF aligned: DMARC passes.
    public var dmarcPass: Int64
    /// Distinct reporting organizations (for received reports) contributing.
    public var reporters: Int64

    public var dkimFail: Int64 { messages - dkimPass }
    public var spfFail: Int64 { messages - spfPass }
    public var dmarcFail: Int64 { messages - dmarcPass }

    public init(
        domain: String, sourceIP: String, disposition: String, messages: Int64, dkimPass: Int64, spfPass: Int64, dmarcPass: Int64,
        reporters: Int64
    ) {
        self.domain = domain
        self.sourceIP = sourceIP
        self.disposition = disposition
        self.messages = messages
        self.dkimPass = dkimPass
        self.spfPass = spfPass
        self.dmarcPass = dmarcPass
        self.reporters = reporters
    }

    init(row: any SQLRow) throws {
        self.init(
            domain: try row.decode(column: "domain", as: String.self),
            sourceIP: try row.decode(column: "source_ip", as: String.self),
            disposition: try row.decode(column: "disposition", as: String.self),
            messages: try row.decode(column: "messages", as: Int64.self),
            dkimPass: try row.decode(column: "dkim_pass", as: Int64.self),
            spfPass: try row.decode(column: "spf_pass", as: Int64.self),
            dmarcPass: try row.decode(column: "dmarc_pass", as: Int64.self),
            reporters: try row.decode(column: "reporters", as: Int64.self))
    }

    enum CodingKeys: String, CodingKey {
        case domain
        case sourceIP = "source_ip"
        case disposition, messages
        case dkimPass = "dkim_pass"
        case dkimFail = "dkim_fail"
        case spfPass = "spf_pass"
        case spfFail = "spf_fail"
        case dmarcPass = "dmarc_pass"
        case dmarcFail = "dmarc_fail"
        case reporters
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            domain: try container.decode(String.self, forKey: .domain),
            sourceIP: try container.decode(String.self, forKey: .sourceIP),
            disposition: try container.decode(String.self, forKey: .disposition),
            messages: try container.decode(Int64.self, forKey: .messages),
            dkimPass: try container.decode(Int64.self, forKey: .dkimPass),
            spfPass: try container.decode(Int64.self, forKey: .spfPass),
            dmarcPass: try container.decode(Int64.self, forKey: .dmarcPass),
            reporters: try container.decode(Int64.self, forKey: .reporters))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(domain, forKey: .domain)
        try container.encode(sourceIP, forKey: .sourceIP)
        try container.encode(disposition, forKey: .disposition)
        try container.encode(messages, forKey: .messages)
        try container.encode(dkimPass, forKey: .dkimPass)
        try container.encode(dkimFail, forKey: .dkimFail)
        try container.encode(spfPass, forKey: .spfPass)
        try container.encode(spfFail, forKey: .spfFail)
        try container.encode(dmarcPass, forKey: .dmarcPass)
        try container.encode(dmarcFail, forKey: .dmarcFail)
        try container.encode(reporters, forKey: .reporters)
    }
}

/// What a received report row keeps besides its counted columns.
struct DMARCReportRowDetail: Codable {
    var envelopeTo: String?
    var reasons: [DMARCOverrideReason]
    var dkim: [DMARCReportDKIMResult]
    var spf: DMARCReportSPFResult?
}

/// A DMARC store failure.
public struct DMARCStoreError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
