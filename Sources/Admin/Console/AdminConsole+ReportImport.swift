import Core
import Foundation
import MailAuth
import Policy

/// What storing one received TLS report did.
public struct TLSReportImport: Sendable, Hashable, Codable {
    public var organizationName: String
    public var reportID: String
    /// The policy domains it reports on.
    public var policyDomains: [String]
    /// False when it had been stored before and was left alone.
    public var stored: Bool

    enum CodingKeys: String, CodingKey {
        case organizationName = "organization_name"
        case reportID = "report_id"
        case policyDomains = "policy_domains"
        case stored
    }
}

/// Importing reports other senders sent about the site's domains, from a file in hand (the
/// server reads them from `[dmarc] report_address` and `[mta_sts] tls_report_address` itself):
/// `posta dmarc import FILE`, `posta tlsrpt import FILE`, the console's upload and the API.
extension AdminConsole {
    /// Most octets of one uploaded DMARC payload (a message, an archive or a document).
    public static var maxDMARCImportBytes: Int { DMARCReportLimits().payloadBytes }
    /// Most octets of one uploaded TLS report (JSON, or gzip-compressed JSON).
    public static var maxTLSImportBytes: Int { TLSRPTReport.maxReceivedBytes }

    /// Stores the DMARC aggregate reports (RFC 9990) in `payload`: XML, gzip, zip, or a whole
    /// message carrying one; a report stored before is left alone (`duplicate`).
    public func importDMARCReports(as principal: Principal, payload: [UInt8]) async throws -> [DMARCImportedReport] {
        try principal.require(.manageReports)
        guard !payload.isEmpty else { throw AdminError.invalid("The file is empty.") }
        let limits = DMARCReportLimits()
        guard payload.count <= limits.payloadBytes else {
            throw AdminError.invalid("The file is larger than \(limits.payloadBytes) octets.")
        }
        let imported: [DMARCImportedReport]
        do {
            imported = try await DMARCReportStore(database: database).importReports(
                from: payload, receivedAt: now, limits: limits)
        } catch let error as DMARCReportError {
            throw AdminError.invalid("Not a DMARC aggregate report: \(error)")
        }
        for report in imported where !report.duplicate {
            await audit(principal, "reports.dmarc.import", target: "\(report.policyDomain) \(report.reportID)", after: report)
        }
        return imported
    }

    /// Stores the SMTP TLS report (RFC 8460 §4) in `payload`, JSON or gzip-compressed JSON.
    public func importTLSReport(as principal: Principal, payload: [UInt8]) async throws -> TLSReportImport {
        try principal.require(.manageReports)
        guard !payload.isEmpty else { throw AdminError.invalid("The file is empty.") }
        let report: TLSRPTReport
        do {
            report = try TLSRPTReport.decode(received: payload)
        } catch {
            throw AdminError.invalid("Not an SMTP TLS report: \(error)")
        }
        let stored = try await TLSRPTReceivedStore(database: database).store(report, receivedAt: now)
        let result = TLSReportImport(
            organizationName: report.organizationName, reportID: report.reportID,
            policyDomains: Array(Set(report.policies.map(\.policy.policyDomain))).sorted(), stored: stored)
        if stored {
            await audit(
                principal, "reports.tls.import", target: "\(report.organizationName) \(report.reportID)", after: result)
        }
        return result
    }
}
