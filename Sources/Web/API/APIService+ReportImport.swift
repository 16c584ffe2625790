import Admin
import OpenAPIRuntime
import Policy

/// `POST /reports/dmarc/import` and `/reports/tls/import`: a report file as the body.
extension APIService {
    func importDMARCReports(_ input: Operations.ImportDMARCReports.Input) async throws
        -> Operations.ImportDMARCReports.Output
    {
        let principal = try await principal()
        let payload = try await Self.collect(input.body, limit: AdminConsole.maxDMARCImportBytes)
        let imported = try await console.importDMARCReports(as: principal, payload: payload)
        return .ok(.init(body: .json(.init(reports: imported.map { .init($0) }))))
    }

    func importTLSReport(_ input: Operations.ImportTLSReport.Input) async throws -> Operations.ImportTLSReport.Output {
        let principal = try await principal()
        let payload = try await Self.collect(input.body, limit: AdminConsole.maxTLSImportBytes)
        let imported = try await console.importTLSReport(as: principal, payload: payload)
        return .ok(
            .init(
                body: .json(
                    .init(
                        organizationName: imported.organizationName, reportId: imported.reportID,
                        policyDomains: imported.policyDomains, stored: imported.stored))))
    }

    /// The body's octets, refused past `limit` (the body is read no further).
    private static func collect(_ body: Operations.ImportDMARCReports.Input.Body, limit: Int) async throws -> [UInt8] {
        guard case .binary(let stream) = body else { throw APIProblem(.unsupportedMediaType) }
        return try await collect(stream, limit: limit)
    }

    private static func collect(_ body: Operations.ImportTLSReport.Input.Body, limit: Int) async throws -> [UInt8] {
        guard case .binary(let stream) = body else { throw APIProblem(.unsupportedMediaType) }
        return try await collect(stream, limit: limit)
    }

    private static func collect(_ stream: HTTPBody, limit: Int) async throws -> [UInt8] {
        if case .known(let length) = stream.length, length > limit {
            throw APIProblem.invalid("The body is larger than \(limit) octets.")
        }
        do {
            return Array(try await ArraySlice<UInt8>(collecting: stream, upTo: limit))
        } catch {
            // OpenAPIRuntime's error for a body past the bound is not public.
            throw APIProblem.invalid("The body is larger than \(limit) octets.")
        }
    }
}

extension Components.Schemas.DMARCImportedReport {
    init(_ report: DMARCImportedReport) {
        self.init(
            orgName: report.orgName, reportId: report.reportID, policyDomain: report.policyDomain, begin: report.begin,
            end: report.end, records: report.records, messages: report.messages, duplicate: report.duplicate)
    }
}
