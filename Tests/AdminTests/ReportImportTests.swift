import Admin
import Core
import MailAuth
import Policy
import PostaTestSupport
import Testing

/// Importing DMARC aggregate and SMTP TLS reports from a file in hand: superadmin only, stored
/// once, audited, a clear refusal for anything else.
@Suite struct ReportImportTests {
    static func with(_ dialect: Database.Dialect, _ body: (AdminFixture) async throws -> Void) async throws {
        try await AdminFixture.with(dialect) { f in
            try await f.db.migrate(DMARCSchema.migrations + TLSRPTSchema.migrations)
            try await body(f)
        }
    }

    @Test("a DMARC report is stored once and audited; others may not import", arguments: TestDatabases.dialects)
    func dmarcImport(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let c = f.console
            let first = try await c.importDMARCReports(as: f.superadmin, payload: Array(ReportImportFixtures.dmarc.utf8))
            #expect(first.map(\.reportID) == ["r-42"] && first[0].messages == 3 && !first[0].duplicate)
            let again = try await c.importDMARCReports(as: f.superadmin, payload: Array(ReportImportFixtures.dmarc.utf8))
            #expect(again.map(\.duplicate) == [true])
            let sources = try await DMARCReportStore(database: f.db).sources(domain: "example.org", since: nil)
            #expect(sources.map(\.sourceIP) == ["192.0.2.25"] && sources[0].messages == 3)
            for principal in [f.domainAdmin, f.helpdesk] {
                await #expect(throws: AccessDenied.self) {
                    try await c.importDMARCReports(as: principal, payload: Array(ReportImportFixtures.dmarc.utf8))
                }
            }
            await #expect(throws: AdminError.self) {
                try await c.importDMARCReports(as: f.superadmin, payload: Array("<feedback><oops".utf8))
            }
            await #expect(throws: AdminError.invalid("The file is empty.")) {
                try await c.importDMARCReports(as: f.superadmin, payload: [])
            }
            let audit = try await c.auditLog(as: f.superadmin, AuditFilter(action: "reports.dmarc.import")).items
            #expect(audit.map(\.target) == ["example.org r-42"])
        }
    }

    @Test("a TLS report is stored once and audited; others may not import", arguments: TestDatabases.dialects)
    func tlsImport(dialect: Database.Dialect) async throws {
        try await Self.with(dialect) { f in
            let c = f.console
            let first = try await c.importTLSReport(as: f.superadmin, payload: Array(ReportImportFixtures.tls.utf8))
            #expect(first.stored && first.reportID == "tls-7" && first.policyDomains == ["example.org"])
            #expect(try await c.importTLSReport(as: f.superadmin, payload: Array(ReportImportFixtures.tls.utf8)).stored == false)
            #expect(try await TLSRPTReceivedStore(database: f.db).reports().map(\.report.reportID) == ["tls-7"])
            await #expect(throws: AccessDenied.self) {
                try await c.importTLSReport(as: f.domainAdmin, payload: Array(ReportImportFixtures.tls.utf8))
            }
            await #expect(throws: AdminError.self) {
                try await c.importTLSReport(as: f.superadmin, payload: Array("{\"organization-name\": 1}".utf8))
            }
            let audit = try await c.auditLog(as: f.superadmin, AuditFilter(action: "reports.tls.import")).items
            #expect(audit.map(\.target) == ["Company-X tls-7"])
        }
    }
}
