import Core
import Crypto
import Foundation
import SQLKit

/// One outbound TLS session (or policy failure) as TLS-RPT counts it.
public struct TLSRPTSession: Sendable, Hashable {
    /// The policy that applied, with the recipient domain.
    public var policy: TLSRPTReport.Policy
    /// nil: the session succeeded.
    public var failure: TLSRPTResultType?
    public var receivingMX: String?
    public var receivingIP: String?
    /// A short reason, kept as `additional-information` (the first one seen).
    public var detail: String?

    public init(
        policy: TLSRPTReport.Policy, failure: TLSRPTResultType? = nil, receivingMX: String? = nil, receivingIP: String? = nil,
        detail: String? = nil
    ) {
        self.policy = policy
        self.failure = failure
        self.receivingMX = receivingMX
        self.receivingIP = receivingIP
        self.detail = detail
    }
}

/// Who Posta says it is in the TLS reports it sends (RFC 8460 §4.4).
public struct TLSRPTReporter: Sendable, Hashable {
    /// `organization-name`.
    public var organizationName: String
    /// `contact-info`: an address the Domain Owner can write to.
    public var contactInfo: String
    /// The sending site's domain: `TLS-Report-Submitter`, the file name and the report-id.
    public var submitter: String

    public init(organizationName: String, contactInfo: String, submitter: String) {
        self.organizationName = organizationName
        self.contactInfo = contactInfo
        self.submitter = submitter
    }
}

/// Posta's outbound TLS outcomes, kept for the TLS reports it sends (`TLSRPTSchema`).
public struct TLSRPTSessionStore: Sendable {
    public let database: Database
    /// A reporting period: one UTC day (RFC 8460 §4.1, reports cover a 24-hour day in UTC).
    public static let periodLength: Int64 = 86_400
    /// Longest `additional-information` kept.
    static let maxDetail = 300

    public init(database: Database) {
        self.database = database
    }

    public static func periodStart(of time: Int64) -> Int64 { UnixTime.dayStart(of: time) }

    /// Counts one session at `time`.
    public func record(_ session: TLSRPTSession, at time: Int64, count: Int64 = 1) async throws {
        let domain = session.policy.policyDomain.lowercased()
        let policyJSON = String(decoding: try Self.encoder.encode(session.policy), as: UTF8.self)
        let key =
            session.policy.policyType == .noPolicyFound
            ? "" : SHA256.hash(data: Data(policyJSON.utf8)).map { String(format: "%02x", $0) }.joined()
        let period = Self.periodStart(of: time)
        let result = session.failure?.rawValue ?? ""
        let mx = session.receivingMX?.lowercased() ?? ""
        let ip = session.receivingIP ?? ""
        let detail = String((session.detail ?? "").prefix(Self.maxDetail))
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO tlsrpt_session (period_start, policy_domain, policy_key, result_type, receiving_mx, receiving_ip,
                  session_count, detail)
                VALUES (\(bind: period), \(bind: domain), \(bind: key), \(bind: result), \(bind: mx), \(bind: ip), \(bind: count), \(bind: detail))
                ON CONFLICT (period_start, policy_domain, policy_key, result_type, receiving_mx, receiving_ip)
                DO UPDATE SET session_count = tlsrpt_session.session_count + excluded.session_count
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO tlsrpt_policy (period_start, policy_domain, policy_key, policy)
                VALUES (\(bind: period), \(bind: domain), \(bind: key), \(bind: policyJSON))
                ON CONFLICT (period_start, policy_domain, policy_key) DO NOTHING
                """
            ).run()
        }
    }

    /// The recipient domains with sessions in the period starting at `periodStart`.
    public func domains(periodStart: Int64) async throws -> [String] {
        try await database.snapshot { db in
            try await db.raw(
                "SELECT DISTINCT policy_domain FROM tlsrpt_session WHERE period_start = \(bind: periodStart) ORDER BY policy_domain"
            ).all().map { try $0.decode(column: "policy_domain", as: String.self) }
        }
    }

    /// The report for `domain` over the period starting at `periodStart`; nil without sessions.
    public func report(domain: String, periodStart: Int64, reporter: TLSRPTReporter) async throws -> TLSRPTReport? {
        let domain = domain.lowercased()
        typealias Row = (key: String, result: String, mx: String, ip: String, count: Int64, detail: String)
        let (rows, policies) = try await database.snapshot { db -> ([Row], [String: String]) in
            let rows = try await db.raw(
                """
                SELECT policy_key, result_type, receiving_mx, receiving_ip, session_count, detail FROM tlsrpt_session
                WHERE period_start = \(bind: periodStart) AND policy_domain = \(bind: domain)
                ORDER BY policy_key, result_type, receiving_mx, receiving_ip
                """
            ).all().map { row -> Row in
                (
                    try row.decode(column: "policy_key", as: String.self), try row.decode(column: "result_type", as: String.self),
                    try row.decode(column: "receiving_mx", as: String.self),
                    try row.decode(column: "receiving_ip", as: String.self),
                    try row.decode(column: "session_count", as: Int64.self), try row.decode(column: "detail", as: String.self)
                )
            }
            var policies: [String: String] = [:]
            for row in try await db.raw(
                "SELECT policy_key, policy FROM tlsrpt_policy WHERE period_start = \(bind: periodStart) AND policy_domain = \(bind: domain)"
            ).all() {
                policies[try row.decode(column: "policy_key", as: String.self)] = try row.decode(
                    column: "policy", as: String.self)
            }
            return (rows, policies)
        }
        guard !rows.isEmpty else { return nil }
        var results: [TLSRPTReport.PolicyResult] = []
        for key in Array(Set(rows.map(\.key))).sorted() {
            guard let json = policies[key],
                let policy = try? JSONDecoder().decode(TLSRPTReport.Policy.self, from: Data(json.utf8))
            else { continue }
            var successful: Int64 = 0
            var failed: Int64 = 0
            var details: [TLSRPTReport.FailureDetail] = []
            for row in rows where row.key == key {
                guard let type = TLSRPTResultType(rawValue: row.result) else {
                    successful &+= row.count
                    continue
                }
                failed &+= row.count
                details.append(
                    TLSRPTReport.FailureDetail(
                        resultType: type, receivingMXHostname: row.mx.isEmpty ? nil : row.mx,
                        receivingIP: row.ip.isEmpty ? nil : row.ip, failedSessionCount: row.count,
                        additionalInformation: row.detail.isEmpty ? nil : row.detail))
            }
            results.append(
                TLSRPTReport.PolicyResult(
                    policy: policy, summary: .init(successful: successful, failed: failed),
                    failureDetails: details.isEmpty ? nil : details))
        }
        return TLSRPTReport(
            organizationName: reporter.organizationName,
            dateRange: .init(begin: periodStart, end: periodStart + Self.periodLength - 1), contactInfo: reporter.contactInfo,
            reportID: "\(periodStart).\(domain)@\(reporter.submitter)", policies: results)
    }

    /// Marks the report of `domain` for the period as sent; false when it already was (by this node
    /// or another), in which case it must not be sent again.
    public func claim(domain: String, periodStart: Int64, at time: Int64) async throws -> Bool {
        let domain = domain.lowercased()
        return try await database.transaction { db in
            let existing = try await db.raw(
                "SELECT sent_at FROM tlsrpt_sent WHERE period_start = \(bind: periodStart) AND policy_domain = \(bind: domain)"
            ).first()
            guard existing == nil else { return false }
            try await db.raw(
                "INSERT INTO tlsrpt_sent (period_start, policy_domain, sent_at) VALUES (\(bind: periodStart), \(bind: domain), \(bind: time))"
            ).run()
            return true
        }
    }

    /// Forgets the periods that start before `time`.
    public func purge(before time: Int64) async throws {
        try await database.transaction { db in
            try await db.raw("DELETE FROM tlsrpt_session WHERE period_start < \(bind: time)").run()
            try await db.raw("DELETE FROM tlsrpt_policy WHERE period_start < \(bind: time)").run()
            try await db.raw("DELETE FROM tlsrpt_sent WHERE period_start < \(bind: time)").run()
        }
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
