import Admin
import Core
import Directory
import Filter
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Policy
import PostaTestSupport
import Queue
import Store
import Testing

@testable import Web

/// A site with a quarantine and the spam settings tables, the console and the API mounted on one
/// router; `example.org` with alice (password `user-secret-1`), `other.org` with carol.
enum FilteringFixture {
    static let logger = Logger(label: "filtering-tests")
    static let cli = Principal(.console(unixUser: "root"), channel: .cli, clientIP: nil)

    static func with(
        _ dialect: Database.Dialect = .sqlite,
        _ body: @Sendable (AdminConsole, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabases.with(dialect) { db in
            try await db.migrate(
                DirectorySchema.migrations + LoginSchema.migrations + StoreSchema.migrations + QueueSchema.migrations
                    + PolicySchema.migrations + AdminSchema.migrations + QuarantineSchema.migrations
                    + SpamSettingsSchema.migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let directory = Directory(database: db)
            let console = AdminConsole(
                database: db, directory: directory,
                store: MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger),
                queue: MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "n1", logger: logger),
                authenticator: Authenticator(directory: directory, loginLog: LoginLog(database: db)),
                settings: AdminSettings(),
                quarantine: QuarantineStore(database: db, directory: folder.path + "/quarantine"),
                spamDefaults: SpamPreferences(junkThreshold: 5, junk: true), logger: logger)
            for domain in ["example.org", "other.org"] { _ = try await console.addDomain(as: cli, name: domain) }
            for address in ["alice@example.org", "carol@other.org"] {
                _ = try await console.createAccount(
                    as: cli, address: address, password: "user-secret-1", displayName: "", quotaBytes: 0)
            }
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addConsole(to: router, console: console, logger: logger)
            WebRoutes.addAPI(to: router, console: console, logger: logger)
            try await Application(router: router).test(.router) { client in try await body(console, client) }
        }
    }

    /// Holds a message for `recipient` whose Subject is `subject`; its id.
    static func hold(_ console: AdminConsole, to recipient: String, subject: String) async throws -> String {
        let quarantine = try #require(console.quarantine)
        try console.queue.prepare()
        let (id, file) = try console.queue.openSpoolFile()
        try file.write(Array("From: x@remote.example\r\nSubject: \(subject)\r\n\r\nhello\r\n".utf8))
        let account = try #require(try await console.directory.account(recipient))
        try await console.queue.quarantine(
            id: id, file: file, envelope: QueuedEnvelope(reversePath: nil, clientIP: "198.51.100.7", helo: "c"),
            deliveries: [QueuedDelivery(recipient: recipient, kind: .local, accountID: account.id, target: recipient)],
            headers: "X-Spam-Status: Yes, score=1000.0\r\n", reason: "spam: score 1000.0 (spamassassin)", in: quarantine)
        return id
    }
}

/// The quarantine, filter-settings and self-service spam pages: hostile header fields shown as
/// text, CSRF on every POST, the helpdesk refused, actions reaching the service layer.
@Suite struct QuarantineFilterPageTests {
    static let hostile = "<script>window.pwned=1</script>\"><img src=x onerror=alert(1)>"

    func get(_ client: any TestClientProtocol, _ uri: String, _ cookie: String) async throws -> (
        HTTPResponse.Status, String
    ) {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
            (response.status, String(buffer: response.body))
        }
    }

    func post(_ client: any TestClientProtocol, _ uri: String, _ cookie: String, _ body: String) async throws -> (
        status: HTTPResponse.Status, location: String?
    ) {
        var headers = ConsolePageTests.form
        headers[.cookie] = cookie
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, $0.headers[.location])
        }
    }

    @Test func quarantinePagesEscapeAndAct() async throws {
        try await FilteringFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: FilteringFixture.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [],
                displayName: "Root")
            _ = try await console.addAdministrator(
                as: FilteringFixture.cli, login: "helen", password: "help-secret-1", role: .helpdesk, domains: [],
                displayName: "Helen")
            let first = try await FilteringFixture.hold(console, to: "alice@example.org", subject: Self.hostile)
            let second = try await FilteringFixture.hold(console, to: "carol@other.org", subject: "plain")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")

            let (status, list) = try await get(client, "/admin/quarantine", cookie)
            #expect(status == .ok)
            #expect(list.contains("href=\"/admin/quarantine\" aria-current=\"page\">Quarantine</a>"))
            #expect(list.contains("<a href=\"/admin/filters\">Filter settings</a>"))
            #expect(list.contains(first) && list.contains(second))
            #expect(list.contains("spam: score 1000.0 (spamassassin)"))
            // The hostile Subject is in the list too, as text.
            #expect(!list.contains("<script>window.pwned") && list.contains("&lt;script&gt;window.pwned=1"))
            #expect(list.contains(">plain</a>"))
            let (_, filtered) = try await get(client, "/admin/quarantine?recipient=carol", cookie)
            #expect(filtered.contains(second) && !filtered.contains(first))

            let (shownStatus, shown) = try await get(client, "/admin/quarantine/\(first)", cookie)
            #expect(shownStatus == .ok)
            #expect(!shown.contains("<script>window.pwned") && !shown.contains("<img src=x"))
            #expect(shown.contains("&lt;script&gt;window.pwned=1&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
            #expect(shown.contains("X-Spam-Status") && shown.contains("Yes, score=1000.0"))
            #expect(try await get(client, "/admin/quarantine/nope", cookie).0 == .notFound)

            // Without the token: refused, nothing released.
            #expect(try await post(client, "/admin/quarantine/action", cookie, "action=release&id=\(first)").status == .forbidden)
            #expect(try await console.quarantine?.entry(first) != nil)
            let released = try await post(
                client, "/admin/quarantine/action", cookie, "action=release&id=\(first)&csrf=\(csrf)")
            #expect(released.status == .seeOther && released.location == "/admin/quarantine")
            #expect(try await console.quarantine?.entry(first) == nil)
            #expect(try await console.queue.entries().count == 1)
            let deleted = try await post(
                client, "/admin/quarantine/action", cookie, "action=delete&id=\(second)&back=show&csrf=\(csrf)")
            #expect(deleted.status == .seeOther)
            #expect(try await console.quarantine?.list().isEmpty == true)
            #expect(try await get(client, "/admin/quarantine", cookie).1.contains("The quarantine is empty."))

            // The helpdesk: no link, 403 on the pages and actions.
            let (desk, deskCSRF) = try await ConsolePageTests.logIn(client, "helen", "help-secret-1")
            let (_, home) = try await get(client, "/admin/accounts", desk)
            #expect(!home.contains("/admin/quarantine") && !home.contains("/admin/filters"))
            for page in ["/admin/quarantine", "/admin/quarantine/\(first)", "/admin/filters"] {
                #expect(try await get(client, page, desk).0 == .forbidden)
            }
            #expect(
                try await post(client, "/admin/filters/set", desk, "scope=%40example.org&junkThreshold=1&csrf=\(deskCSRF)")
                    .status == .forbidden)
        }
    }

    @Test func filterSettingsPage() async throws {
        try await FilteringFixture.with { console, client in
            _ = try await console.addAdministrator(
                as: FilteringFixture.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [],
                displayName: "Root")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")
            #expect(try await get(client, "/admin/filters", cookie).1.contains("No domain or account has spam settings"))
            let saved = try await post(
                client, "/admin/filters/set", cookie,
                "scope=%40example.org&junkThreshold=7&rejectThreshold=20&junk=off&csrf=\(csrf)")
            #expect(saved.status == .seeOther)
            _ = try await post(
                client, "/admin/filters/set", cookie, "scope=alice%40example.org&junkThreshold=3,5&junk=inherit&csrf=\(csrf)")
            #expect(
                try await console.filterSettings(as: FilteringFixture.cli, scope: "alice@example.org").own
                    == SpamPreferences(junkThreshold: 3.5))
            let (_, html) = try await get(client, "/admin/filters", cookie)
            // alice's own threshold; the reject threshold and Junk switch inherited from her domain.
            #expect(html.contains("<th scope=\"row\" data-label=\"Scope\">alice@example.org</th>"))
            #expect(html.contains(">3.5</td>"))
            #expect(html.contains("20 (inherited)") && html.contains("inbox, flagged (inherited)"))
            // A refused form comes back with the reason and the typed values.
            let (refusedStatus, refused) = try await client.execute(
                uri: "/admin/filters/set", method: .post,
                headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "scope=%40example.org&junkThreshold=30&rejectThreshold=10&csrf=\(csrf)")
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(refusedStatus == .unprocessableContent || refusedStatus == .badRequest)
            #expect(refused.contains("must not be below the junk threshold") && refused.contains("value=\"30\""))
            let removed = try await post(client, "/admin/filters/delete", cookie, "scope=alice%40example.org&csrf=\(csrf)")
            #expect(removed.status == .seeOther)
            #expect(try await console.filterSettings(as: FilteringFixture.cli).map(\.scope) == ["@example.org"])
        }
    }

    @Test func mailUserSetsOwnSpamSettings() async throws {
        try await FilteringFixture.with { console, client in
            try await console.setFilterSettings(
                as: FilteringFixture.cli, scope: "@example.org", .init(junkThreshold: 6, rejectThreshold: 40))
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "alice@example.org", "user-secret-1")
            let (_, before) = try await get(client, "/admin/me", cookie)
            #expect(before.contains("<h2>Spam</h2>") && before.contains("placeholder=\"6\""))
            #expect(!before.contains("rejectThreshold"))
            #expect(try await post(client, "/admin/me/spam", cookie, "junkThreshold=4&junk=on").status == .forbidden)
            let saved = try await post(client, "/admin/me/spam", cookie, "junkThreshold=4&junk=on&csrf=\(csrf)")
            #expect(saved.status == .seeOther && saved.location == "/admin/me")
            #expect(
                try await SpamSettingsStore(database: console.database).preferences(for: ["alice@example.org"])
                    == [SpamPreferences(junkThreshold: 4, rejectThreshold: 40, junk: true)])
            let (_, after) = try await get(client, "/admin/me", cookie)
            #expect(after.contains("value=\"4\"") && after.contains("<option value=\"on\" selected>"))
            // A reject threshold in the form is ignored: a user cannot set it.
            _ = try await post(client, "/admin/me/spam", cookie, "junkThreshold=&junk=inherit&rejectThreshold=1&csrf=\(csrf)")
            #expect(
                try await console.filterSettings(as: FilteringFixture.cli, scope: "alice@example.org").own
                    == SpamPreferences())
            // Nor reach the administrators' pages.
            #expect(try await get(client, "/admin/filters", cookie).0 == .forbidden)
        }
    }
}
