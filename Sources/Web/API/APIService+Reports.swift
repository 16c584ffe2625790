import Admin
import Core
import Foundation
import MailAuth
import OpenAPIRuntime
import Policy

/// DMARC aggregate reports, TLS reports and the MTA-STS policy cache over the API: each
/// operation is one `AdminConsole` call (AdminConsole+Reports, +TLSReports, +ReportSending),
/// which checks `viewReports`/`manageReports` and audits the sends.
extension APIService {
    func listDMARCSources(_ input: Operations.ListDMARCSources.Input) async throws -> Operations.ListDMARCSources.Output {
        let sources = try await console.dmarcSources(
            as: principal(), domain: input.query.domain, since: try Self.day(input.query.since),
            limit: try Self.reportLimit(input.query.limit))
        return .ok(.init(body: .json(.init(items: sources.map(Components.Schemas.DMARCSource.init)))))
    }

    func listDMARCReports(_ input: Operations.ListDMARCReports.Input) async throws -> Operations.ListDMARCReports.Output {
        let reports = try await console.dmarcReports(
            as: principal(), domain: input.query.domain, since: try Self.day(input.query.since),
            limit: try Self.reportLimit(input.query.limit))
        return .ok(.init(body: .json(.init(items: reports.map(Components.Schemas.DMARCReceivedReport.init)))))
    }

    func getDMARCReportXML(_ input: Operations.GetDMARCReportXML.Input) async throws -> Operations.GetDMARCReportXML.Output {
        let principal = try await principal()
        guard let day = try Self.day(input.path.day) else { throw APIProblem.invalid("day must be YYYY-MM-DD") }
        let report = try await console.dmarcReportDocument(as: principal, domain: input.path.domain, periodStart: day)
        return .ok(.init(body: .xml(HTTPBody(report.bytes))))
    }

    func sendDMARCReports(_ input: Operations.SendDMARCReports.Input) async throws -> Operations.SendDMARCReports.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        guard let day = try Self.day(request.day) else { throw APIProblem.invalid("day must be YYYY-MM-DD") }
        let queued = try await console.queueDMARCReports(as: principal, periodStart: day)
        return .ok(.init(body: .json(.init(items: queued.map(Components.Schemas.QueuedReport.init)))))
    }

    func listTLSReports(_ input: Operations.ListTLSReports.Input) async throws -> Operations.ListTLSReports.Output {
        let received = try await console.receivedTLSReports(
            as: principal(), domain: input.query.domain, limit: try Self.reportLimit(input.query.limit))
        let items = try received.map {
            Components.Schemas.ReceivedTLSReport(receivedAt: $0.receivedAt, report: try Self.tlsReport($0.report))
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func getTLSReportJSON(_ input: Operations.GetTLSReportJSON.Input) async throws -> Operations.GetTLSReportJSON.Output {
        let principal = try await principal()
        guard let day = try Self.day(input.path.day) else { throw APIProblem.invalid("day must be YYYY-MM-DD") }
        let document = try await console.tlsReportDocument(as: principal, domain: input.path.domain, periodStart: day)
        let report = try JSONDecoder().decode(Components.Schemas.TLSReport.self, from: Data(document.bytes))
        return .ok(.init(body: .applicationTlsrptJson(report)))
    }

    func sendTLSReports(_ input: Operations.SendTLSReports.Input) async throws -> Operations.SendTLSReports.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        guard let day = try Self.day(request.day) else { throw APIProblem.invalid("day must be YYYY-MM-DD") }
        let queued = try await console.queueTLSReports(as: principal, periodStart: day)
        return .ok(.init(body: .json(.init(items: queued.map(Components.Schemas.QueuedReport.init)))))
    }

    func listMTASTSPolicies(_ input: Operations.ListMTASTSPolicies.Input) async throws
        -> Operations.ListMTASTSPolicies.Output
    {
        let policies = try await console.mtaSTSPolicies(as: principal())
        return .ok(.init(body: .json(.init(items: policies.map(Components.Schemas.MTASTSPolicy.init)))))
    }

    /// A `YYYY-MM-DD` field: nil when absent, 422 when it is no day.
    static func day(_ text: String?) throws -> Int64? {
        guard let text else { return nil }
        guard let day = UnixTime.parseDay(text) else { throw APIProblem.invalid("'\(text)' is not a day (YYYY-MM-DD)") }
        return day
    }

    /// `?limit=` of a report listing: 1...`AdminConsole.reportListLimit`, that when absent.
    static func reportLimit(_ limit: Int?) throws -> Int {
        guard let limit else { return AdminConsole.reportListLimit }
        guard (1...AdminConsole.reportListLimit).contains(limit) else {
            throw APIProblem.invalid("limit must lie between 1 and \(AdminConsole.reportListLimit)")
        }
        return limit
    }

    /// A TLS report in its RFC 8460 JSON, as the API's free-form object.
    static func tlsReport(_ report: TLSRPTReport) throws -> Components.Schemas.TLSReport {
        try JSONDecoder().decode(Components.Schemas.TLSReport.self, from: Data(try report.json()))
    }
}

extension Components.Schemas.DMARCSource {
    init(_ source: DMARCSourceSummary) {
        self.init(
            domain: source.domain, sourceIp: source.sourceIP, disposition: source.disposition, messages: source.messages,
            dkimPass: source.dkimPass, dkimFail: source.dkimFail, spfPass: source.spfPass, spfFail: source.spfFail,
            dmarcPass: source.dmarcPass, dmarcFail: source.dmarcFail, reporters: source.reporters)
    }
}

extension Components.Schemas.DMARCReceivedReport {
    init(_ report: DMARCImportedReport) {
        self.init(
            orgName: report.orgName, reportId: report.reportID, policyDomain: report.policyDomain, begin: report.begin,
            end: report.end, records: report.records, messages: report.messages)
    }
}

extension Components.Schemas.QueuedReport {
    init(_ queued: Admin.QueuedReport) {
        self.init(domain: queued.domain, recipients: queued.recipients, problems: queued.problems)
    }
}

extension Components.Schemas.MTASTSPolicy {
    init(_ cached: MTASTSCachedPolicy) {
        let mode: ModePayload =
            switch cached.policy.mode {
            case .enforce: .enforce
            case .testing: .testing
            case .none: .none
            }
        self.init(
            domain: cached.domain, id: cached.id, mode: mode, mx: cached.policy.mx.map(\.description),
            maxAge: cached.policy.maxAge, fetchedAt: cached.fetchedAt, expiresAt: cached.expiresAt)
    }
}
