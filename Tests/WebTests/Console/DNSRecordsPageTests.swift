import Admin
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Web

/// `/admin/dns` and its zone-file download end to end, and the policy priority/description form
/// of `/admin/policies`.
@Suite struct DNSRecordsPageTests {
    static let cli = ConsolePageTests.cli
    static func get(_ client: any TestClientProtocol, _ cookie: String, _ uri: String) async throws -> (
        HTTPResponse.Status, String
    ) {
        try await SiteOperationsPageTests.get(client, cookie, uri)
    }

    @Test func superadminSeesTheRecordsTheCLIPrintsAndDownloadsTheZone() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            let (cookie, _) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")
            // No domain yet: the page says so.
            let (status, empty) = try await Self.get(client, cookie, "/admin/dns")
            #expect(status == .ok && empty.contains("No domains yet") && empty.contains("aria-current=\"page\">DNS records</a>"))

            for domain in ["example.org", "other.org"] { _ = try await console.addDomain(as: Self.cli, name: domain) }
            let key = try await console.generateDKIMKey(as: Self.cli, domain: "other.org", algorithm: .ed25519SHA256)
            // The first domain by default, with the picker over both.
            let (_, first) = try await Self.get(client, cookie, "/admin/dns")
            #expect(first.contains("<option value=\"example.org\" selected>") && first.contains("<option value=\"other.org\">"))
            #expect(first.contains("No DKIM key yet"))
            let set = try await console.dnsRecords(as: Self.cli, domain: "other.org")
            let (_, html) = try await Self.get(client, cookie, "/admin/dns?domain=other.org")
            #expect(html.contains("<option value=\"other.org\" selected>") && !html.contains("No DKIM key yet"))
            // One row per record, the value in zone-file form (quotes escaped in HTML).
            #expect(html.components(separatedBy: "<tr data-dns-type=").count - 1 == set.records.count)
            for record in set.records {
                #expect(html.contains("<code>\(record.name)</code>"), "\(record.name)")
                #expect(html.contains(Self.escaped(record.presentation)), "\(record.presentation)")
            }
            let record = try #require(key.dnsRecord)
            #expect(html.contains(key.dnsName) && html.contains(record))
            // The zone-file block is the CLI's text, escaped.
            #expect(html.contains(Self.escaped(set.zoneFile)))
            #expect(html.contains("href=\"/admin/dns/zone?domain=other.org\""))

            try await client.execute(uri: "/admin/dns/zone?domain=other.org", method: .get, headers: [.cookie: cookie]) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"other.org.zone\"")
                #expect(String(buffer: response.body) == set.zoneFile)
            }
            // A name that is none: the page says why.
            let (bad, why) = try await Self.get(client, cookie, "/admin/dns?domain=%3Cscript%3E")
            #expect(bad == .unprocessableContent || bad == .badRequest)
            #expect(!why.contains("<script>"))
        }
    }

    @Test func domainAdminSeesTheirDomainsOnlyAndHelpdeskNone() async throws {
        try await ConsoleFixture.with { console, client in
            for domain in ["example.org", "other.org"] { _ = try await console.addDomain(as: Self.cli, name: domain) }
            _ = try await console.addAdministrator(
                as: Self.cli, login: "dora", password: "dora-secret-1", role: .domainAdmin, domains: ["example.org"],
                displayName: "Dora")
            _ = try await console.addAdministrator(
                as: Self.cli, login: "helen", password: "help-secret-1", role: .helpdesk, domains: [], displayName: "Helen")
            let (dora, _) = try await ConsolePageTests.logIn(client, "dora", "dora-secret-1")
            let (status, html) = try await Self.get(client, dora, "/admin/dns")
            #expect(status == .ok && html.contains("_dmarc.example.org") && !html.contains("other.org"))
            #expect(try await Self.get(client, dora, "/admin/dns?domain=other.org").0 == .forbidden)
            #expect(try await Self.get(client, dora, "/admin/dns/zone?domain=other.org").0 == .forbidden)

            let (helen, _) = try await ConsolePageTests.logIn(client, "helen", "help-secret-1")
            let (_, home) = try await Self.get(client, helen, "/admin")
            #expect(!home.contains(">DNS records</a>"))
            #expect(try await Self.get(client, helen, "/admin/dns").0 == .forbidden)
            #expect(try await Self.get(client, helen, "/admin/dns/zone?domain=example.org").0 == .forbidden)
        }
    }

    @Test func superadminChangesAPolicysPriorityAndDescription() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            try await console.addPolicy(as: Self.cli, name: "blockers", priority: 50, description: "old")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")
            let (_, page) = try await Self.get(client, cookie, "/admin/policies")
            #expect(page.contains("action=\"/admin/policies/change\"") && page.contains("id=\"priority-blockers\""))
            let hostile = "<b>first</b> & foremost"
            try await SiteOperationsPageTests.post(
                client, cookie, "/admin/policies/change",
                "name=blockers&priority=7&description=\(FormData.encode(hostile))&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }
            let policy = try #require(try await console.policies(as: Self.cli).policies.first)
            #expect(policy.priority == 7 && policy.description == hostile)
            let (_, changed) = try await Self.get(client, cookie, "/admin/policies")
            #expect(changed.contains("priority 7") && !changed.contains(hostile) && changed.contains("&lt;b&gt;first"))
            // Not a number: the page again with why; nothing changed.
            try await SiteOperationsPageTests.post(
                client, cookie, "/admin/policies/change", "name=blockers&priority=soon&description=x&csrf=\(csrf)"
            ) { status, html in
                #expect(status == .unprocessableContent && html.contains("The priority is a whole number"))
            }
            // An empty description clears it.
            try await SiteOperationsPageTests.post(
                client, cookie, "/admin/policies/change", "name=blockers&priority=7&description=&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }
            let cleared = try #require(try await console.policies(as: Self.cli).policies.first)
            #expect(cleared.priority == 7 && cleared.description == "" && cleared.enabled)
            let audit = try await console.auditLog(as: Self.cli, AuditFilter(target: "policy:blockers")).items
            #expect(audit.map(\.action) == ["policy.change", "policy.change", "policy.add"])
            #expect(audit.first?.actor == "admin:root")
        }
    }

    /// `text` as the templates escape it.
    static func escaped(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
            .replacing("\"", with: "&quot;")
    }
}
