import Admin
import Core
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MailAuth
import Policy
import PostaTestSupport
import Testing

/// `POST /reports/dmarc/import` and `/reports/tls/import`: the file is the body; superadmin only;
/// stored once; anything else is a problem.
@Suite struct APIReportImportTests {
    static let binary: HTTPFields = [.contentType: "application/octet-stream"]

    @Test(arguments: TestDatabases.dialects)
    func imports(dialect: Database.Dialect) async throws {
        try await APIFixture.with(dialect) { fixture, client in
            try await fixture.console.database.migrate(DMARCSchema.migrations + TLSRPTSchema.migrations)
            let boss = fixture.superToken
            let dmarc = ReportImportFixtures.dmarc
            let refused = try await client.api(
                .post, "/reports/dmarc/import", token: fixture.helpdeskToken, json: dmarc, headers: Self.binary)
            #expect(refused.status == .forbidden && refused.isProblem)
            let first = try await client.api(.post, "/reports/dmarc/import", token: boss, json: dmarc, headers: Self.binary)
            #expect(first.status == .ok)
            let reports = first.json["reports"] as? [[String: Any]] ?? []
            #expect(reports.map { $0["report_id"] as? String } == ["r-42"] && reports.first?["duplicate"] as? Bool == false)
            let again = try await client.api(.post, "/reports/dmarc/import", token: boss, json: dmarc, headers: Self.binary)
            #expect((again.json["reports"] as? [[String: Any]])?.first?["duplicate"] as? Bool == true)
            let junk = try await client.api(
                .post, "/reports/dmarc/import", token: boss, json: "not a report", headers: Self.binary)
            #expect(junk.status == .unprocessableContent && junk.isProblem)

            let tls = ReportImportFixtures.tls
            let stored = try await client.api(.post, "/reports/tls/import", token: boss, json: tls, headers: Self.binary)
            #expect(stored.status == .ok && stored.json["stored"] as? Bool == true)
            #expect(stored.json["policy_domains"] as? [String] == ["example.org"])
            let twice = try await client.api(.post, "/reports/tls/import", token: boss, json: tls, headers: Self.binary)
            #expect(twice.json["stored"] as? Bool == false)
            let big = String(repeating: " ", count: AdminConsole.maxTLSImportBytes + 1)
            let tooBig = try await client.api(.post, "/reports/tls/import", token: boss, json: big, headers: Self.binary)
            #expect(tooBig.status == .unprocessableContent && tooBig.isProblem)
            // Past the API's import bound the body is not read at all.
            let huge = String(repeating: " ", count: (8 << 20) + 1)
            let refusedHuge = try await client.api(.post, "/reports/dmarc/import", token: boss, json: huge, headers: Self.binary)
            #expect(refusedHuge.status == .contentTooLarge && refusedHuge.isProblem)
            // Other operations keep the small bound.
            let other = try await client.api(
                .post, "/policies", token: boss, json: String(repeating: " ", count: 70_000),
                headers: [.contentType: "application/json"])
            #expect(other.status == .contentTooLarge)
        }
    }
}
