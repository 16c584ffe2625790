import Admin
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MailAuth
import Monitor
import Policy
import Testing

@testable import Web

/// The abuse, DKIM and policy-definition pages end to end: what a superadmin sees and does,
/// the tick-box confirmation, escaping, and the helpdesk refused.
@Suite struct SiteOperationsPageTests {
    static let cli = ConsolePageTests.cli

    static func post(
        _ client: any TestClientProtocol, _ cookie: String, _ uri: String, _ body: String,
        _ check: @escaping @Sendable (HTTPResponse.Status, String) throws -> Void
    ) async throws {
        var headers = ConsolePageTests.form
        headers[.cookie] = cookie
        try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            try check(response.status, String(buffer: response.body))
        }
    }

    static func get(_ client: any TestClientProtocol, _ cookie: String, _ uri: String) async throws -> (
        HTTPResponse.Status, String
    ) {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
            (response.status, String(buffer: response.body))
        }
    }

    @Test func superadminManagesDKIMKeys() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            _ = try await console.addDomain(as: Self.cli, name: "example.org")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")
            let (status, empty) = try await Self.get(client, cookie, "/admin/dkim")
            #expect(status == .ok && empty.contains("No DKIM keys yet") && empty.contains("aria-current=\"page\">DKIM keys</a>"))
            #expect(empty.contains("<option value=\"example.org\">"))
            // Without the tick box nothing happens.
            try await Self.post(client, cookie, "/admin/dkim/generate", "domain=example.org&algorithm=ed25519&csrf=\(csrf)") {
                status, html in
                #expect(status == .unprocessableContent && html.contains("Tick the box to confirm."))
                #expect(html.contains("value=\"example.org\""))
            }
            #expect(try await console.dkimKeys(as: Self.cli).isEmpty)
            try await Self.post(
                client, cookie, "/admin/dkim/generate", "domain=example.org&algorithm=ed25519&confirm=yes&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }
            let key = try #require(try await console.dkimKeys(as: Self.cli).first)
            let (_, listed) = try await Self.get(client, cookie, "/admin/dkim")
            let record = try #require(key.dnsRecord)
            #expect(listed.contains(key.dnsName) && listed.contains(record))
            #expect(!listed.contains("PRIVATE KEY"))
            try await Self.post(client, cookie, "/admin/dkim/rotate", "domain=example.org&keep_days=2&confirm=yes&csrf=\(csrf)") {
                status, _ in #expect(status == .seeOther)
            }
            try await Self.post(
                client, cookie, "/admin/dkim/retire",
                "domain=example.org&selector=\(key.selector)&force=true&confirm=yes&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }
            let states = try await console.dkimKeys(as: Self.cli).map(\.state)
            #expect(states.sorted { $0.rawValue < $1.rawValue } == [.active, .retired])
        }
    }

    @Test func superadminAddsAndDeletesPoliciesMembersRulesAndGroups() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")
            let hostile = "<script>alert(1)</script>"
            try await Self.post(
                client, cookie, "/admin/policies/add",
                "name=blockers&priority=5&description=\(FormData.encode(hostile))&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }
            try await Self.post(
                client, cookie, "/admin/policies/member",
                "policy=blockers&attribute=sender&pattern=%40spam.example&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }
            try await Self.post(
                client, cookie, "/admin/policies/rule/add",
                "policy=blockers&module=access&settings=\(FormData.encode("action=REJECT\r\ntext=go away\r\n"))&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }
            // Settings the module refuses: the page again, with why.
            try await Self.post(
                client, cookie, "/admin/policies/rule/add", "policy=blockers&module=access&settings=colour%3Dblue&csrf=\(csrf)"
            ) { status, html in
                #expect(status == .unprocessableContent && html.contains("role=\"alert\""))
            }
            try await Self.post(client, cookie, "/admin/policies/group", "name=partners&csrf=\(csrf)") { status, _ in
                #expect(status == .seeOther)
            }
            try await Self.post(
                client, cookie, "/admin/policies/group/entry", "group=partners&pattern=%40partner.example&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }

            let policy = try #require(try await console.policies(as: Self.cli).policies.first)
            #expect(policy.name == "blockers" && policy.priority == 5 && policy.description == hostile)
            #expect(policy.members.map(\.pattern) == ["@spam.example"])
            #expect(policy.rules.first?.settings == ["action": "REJECT", "text": "go away"])
            let (_, html) = try await Self.get(client, cookie, "/admin/policies")
            #expect(!html.contains(hostile) && html.contains("&lt;script&gt;"))
            #expect(html.contains("%partners") && html.contains("@partner.example"))

            let member = try #require(policy.members.first).id
            try await Self.post(client, cookie, "/admin/policies/member/delete", "id=\(member)&csrf=\(csrf)") { status, _ in
                #expect(status == .seeOther)
            }
            let rule = try #require(policy.rules.first).id
            try await Self.post(client, cookie, "/admin/policies/rule/delete", "id=\(rule)&csrf=\(csrf)") { status, _ in
                #expect(status == .seeOther)
            }
            try await Self.post(
                client, cookie, "/admin/policies/group/entry/delete", "group=partners&pattern=%40partner.example&csrf=\(csrf)"
            ) { status, _ in #expect(status == .seeOther) }
            try await Self.post(client, cookie, "/admin/policies/group/delete", "name=partners&csrf=\(csrf)") { status, _ in
                #expect(status == .seeOther)
            }
            let emptied = try #require(try await console.policies(as: Self.cli).policies.first)
            #expect(emptied.members.isEmpty && emptied.rules.isEmpty)
            #expect(try await console.policyGroups(as: Self.cli).isEmpty)
            try await Self.post(client, cookie, "/admin/policies/delete", "name=blockers&csrf=\(csrf)") { status, _ in
                #expect(status == .seeOther)
            }
            #expect(try await console.policies(as: Self.cli).policies.isEmpty)
        }
    }

    @Test func superadminReleasesASuspension() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            _ = try await console.addDomain(as: Self.cli, name: "example.org")
            _ = try await console.createAccount(
                as: Self.cli, address: "ann@example.org", password: "user-secret-1", displayName: "", quotaBytes: 0)
            let account = try #require(try await console.directory.account("ann@example.org"))
            _ = try await #require(console.abuse).store.suspend(
                AbuseSuspension(
                    accountID: account.id, account: account.address, suspendedAt: 1, node: "n1", score: 9, locked: false),
                password: nil)
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")
            let (status, list) = try await Self.get(client, cookie, "/admin/abuse")
            #expect(status == .ok && list.contains("href=\"/admin/abuse/show?account=ann%40example.org\""))
            let (shown, page) = try await Self.get(client, cookie, "/admin/abuse/show?account=ann%40example.org")
            #expect(shown == .ok && page.contains("Suspended") && page.contains("Release and send held mail"))
            try await Self.post(client, cookie, "/admin/abuse/release", "account=ann%40example.org&csrf=\(csrf)") { status, _ in
                #expect(status == .seeOther)
            }
            #expect(try await console.abuseSuspensions(as: Self.cli).isEmpty)
            try await Self.post(client, cookie, "/admin/abuse/ignore", "target=not%20a%20network&rule=all&csrf=\(csrf)") {
                status, html in
                #expect(status == .unprocessableContent && html.contains("neither an account address nor a network"))
            }
        }
    }

    @Test func domainAdminSeesTheKeysAndSuspensionsOfTheirDomainsOnly() async throws {
        try await ConsoleFixture.with { console, client in
            for domain in ["example.org", "other.org"] {
                _ = try await console.addDomain(as: Self.cli, name: domain)
                _ = try await console.generateDKIMKey(as: Self.cli, domain: domain, algorithm: .ed25519SHA256)
                _ = try await console.createAccount(
                    as: Self.cli, address: "ann@\(domain)", password: "user-secret-1", displayName: "", quotaBytes: 0)
                let account = try #require(try await console.directory.account("ann@\(domain)"))
                _ = try await #require(console.abuse).store.suspend(
                    AbuseSuspension(
                        accountID: account.id, account: account.address, suspendedAt: 1, node: "n1", score: 9, locked: false),
                    password: nil)
            }
            _ = try await console.addAdministrator(
                as: Self.cli, login: "dora", password: "dora-secret-1", role: .domainAdmin, domains: ["example.org"],
                displayName: "Dora")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "dora", "dora-secret-1")
            let (status, keys) = try await Self.get(client, cookie, "/admin/dkim")
            #expect(status == .ok && keys.contains("._domainkey.example.org") && !keys.contains("other.org"))
            let (_, abuse) = try await Self.get(client, cookie, "/admin/abuse")
            #expect(abuse.contains("ann@example.org") && !abuse.contains("ann@other.org"))
            // A network is site-wide: not offered to a domain admin, and refused when sent anyway.
            #expect(!abuse.contains("Whitelist a network"))
            #expect(try await Self.get(client, cookie, "/admin/abuse/show?account=ann%40other.org").0 == .forbidden)
            for (uri, body) in [
                ("/admin/dkim/generate", "domain=other.org&algorithm=rsa&confirm=yes"),
                ("/admin/abuse/release", "account=ann%40other.org"),
                ("/admin/abuse/ignore", "target=192.0.2.0%2F24&rule=all"),
            ] {
                try await Self.post(client, cookie, uri, body + "&csrf=\(csrf)") { status, _ in
                    #expect(status == .forbidden, "\(uri)")
                }
            }
            #expect(try await console.abuseSuspensions(as: Self.cli).count == 2)
        }
    }

    @Test func helpdeskGetsNoneOfThese() async throws {
        try await ConsoleFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: Self.cli, login: "helen", password: "help-secret-1", role: .helpdesk, domains: [], displayName: "Helen")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "helen", "help-secret-1")
            let (_, home) = try await Self.get(client, cookie, "/admin")
            #expect(!home.contains(">Abuse</a>") && !home.contains(">DKIM keys</a>"))
            for uri in ["/admin/abuse", "/admin/abuse/show?account=ann%40example.org", "/admin/dkim", "/admin/policies"] {
                #expect(try await Self.get(client, cookie, uri).0 == .forbidden, "\(uri)")
            }
            for (uri, body) in [
                ("/admin/policies/add", "name=x&priority=1"), ("/admin/policies/group", "name=g"),
                ("/admin/dkim/generate", "domain=example.org&confirm=yes"),
                ("/admin/abuse/ignore", "target=192.0.2.0%2F24&rule=all"),
            ] {
                try await Self.post(client, cookie, uri, body + "&csrf=\(csrf)") { status, _ in
                    #expect(status == .forbidden, "\(uri)")
                }
            }
            #expect(try await console.policies(as: Self.cli).policies.isEmpty)
            #expect(try await console.dkimKeys(as: Self.cli).isEmpty)
        }
    }
}
