import Admin
import Core
import MailAuth
import Policy
import PostaTestSupport
import Testing

/// Importing DMARC aggregate and SMTP TLS reports from a file in hand: superadmin only, stored
/// once, audited, a clear refusal for anything else.
@Suite struct ReportImportTests {
    static let dmarc = """
        <?xml version="1.0" encoding="UTF-8"?>
        <feedback>
          <report_metadata><org_name>receiver.example</org_name><email>noreply@receiver.example</email>
            <report_id>r-42</report_id><date_range><begin>1764720000</begin><end>1764806399</end></date_range>
          </report_metadata>
          <policy_published><domain>example.org</domain><adkim>r</adkim><aspf>r</aspf><p>none</p></policy_published>
          <record>
            <row><source_ip>192.0.2.25</source_ip><count>3</count>
              <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
            <identifiers><header_from>example.org</header_from></identifiers>
            <auth_results><dkim><domain>example.org</domain><result>pass</result></dkim>
              <spf><domain>example.org</domain><result>fail</result></spf></auth_results>
          </record>
        </feedback>
        """

    static let tls = """
        {"organization-name":"Company-X","date-range":{"start-datetime":"2025-12-03T00:00:00Z",
        "end-datetime":"2025-12-03T23:59:59Z"},"contact-info":"tls@company-x.example","report-id":"tls-7",
        "policies":[{"policy":{"policy-type":"no-policy-found","policy-domain":"example.org"},
        "summary":{"total-successful-session-count":12,"total-failure-session-count":1}}]}
        """

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
            let first = try await c.importDMARCReports(as: f.superadmin, payload: Array(Self.dmarc.utf8))
            #expect(first.map(\.reportID) == ["r-42"] && first[0].messages == 3 && !first[0].duplicate)
            let again = try await c.importDMARCReports(as: f.superadmin, payload: Array(Self.dmarc.utf8))
            #expect(again.map(\.duplicate) == [true])
            let sources = try await DMARCReportStore(database: f.db).sources(domain: "example.org", since: nil)
            #expect(sources.map(\.sourceIP) == ["192.0.2.25"] && sources[0].messages == 3)
            for principal in [f.domainAdmin, f.helpdesk] {
                await #expect(throws: AccessDenied.self) {
                    try await c.importDMARCReports(as: principal, payload: Array(Self.dmarc.utf8))
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
            let first = try await c.importTLSReport(as: f.superadmin, payload: Array(Self.tls.utf8))
            #expect(first.stored && first.reportID == "tls-7" && first.policyDomains == ["example.org"])
            #expect(try await c.importTLSReport(as: f.superadmin, payload: Array(Self.tls.utf8)).stored == false)
            #expect(try await TLSRPTReceivedStore(database: f.db).reports().map(\.report.reportID) == ["tls-7"])
            await #expect(throws: AccessDenied.self) {
                try await c.importTLSReport(as: f.domainAdmin, payload: Array(Self.tls.utf8))
            }
            await #expect(throws: AdminError.self) {
                try await c.importTLSReport(as: f.superadmin, payload: Array("{\"organization-name\": 1}".utf8))
            }
            let audit = try await c.auditLog(as: f.superadmin, AuditFilter(action: "reports.tls.import")).items
            #expect(audit.map(\.target) == ["Company-X tls-7"])
        }
    }
}
