import Admin
import Core
import Directory
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
import Webmail

@testable import Web

/// The deleted-messages pages: the console's `/admin/account/deleted` (helpdesk) and the
/// webmail's `/mail/deleted` (the user): the list as rendered, the CSRF check, a restore that
/// puts the message back into its folder.
@Suite struct DeletedMessagesPageTests {
    /// Console and webmail on one router over a store that keeps deleted messages 14 days; Ann
    /// (`ann-secret-1`) in example.org, a helpdesk `hal` and a domain admin `otto` of other.org.
    static func with(_ body: @Sendable (AdminConsole, Account, any TestClientProtocol) async throws -> Void) async throws {
        try await TestConsole.with(.sqlite, logger: ConsoleFixture.logger) { base in
            let store = MailStore(
                database: base.database, root: base.store.root, nodeID: "n1", undeleteRetention: 14 * 86400,
                logger: ConsoleFixture.logger)
            let console = AdminConsole(
                database: base.database, directory: base.directory, store: store, queue: base.queue,
                authenticator: base.authenticator, settings: base.settings, logger: ConsoleFixture.logger)
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addConsole(to: router, console: console, logger: ConsoleFixture.logger)
            let webmail = Webmail(
                database: console.database, directory: console.directory, store: store, logger: ConsoleFixture.logger)
            WebRoutes.addWebmail(to: router, console: console, webmail: webmail, sender: nil, logger: ConsoleFixture.logger)
            let cli = ConsolePageTests.cli
            for domain in ["example.org", "other.org"] { _ = try await console.addDomain(as: cli, name: domain) }
            _ = try await console.createAccount(
                as: cli, address: "ann@example.org", password: "ann-secret-1", displayName: "Ann", quotaBytes: 0)
            let ann = try #require(try await console.directory.account("ann@example.org"))
            _ = try await console.addAdministrator(
                as: cli, login: "hal", password: "help-secret-1", role: .helpdesk, domains: [], displayName: "Hal")
            _ = try await console.addAdministrator(
                as: cli, login: "otto", password: "otto-secret-1", role: .domainAdmin, domains: ["other.org"],
                displayName: "Otto")
            try await Application(router: router).test(.router) { client in try await body(console, ann, client) }
        }
    }

    /// Appends a message from Bob with `subject` to Ann's `folder` and expunges it; its mailbox id.
    @discardableResult
    static func deleted(_ console: AdminConsole, _ ann: Account, subject: String, folder: String = "INBOX") async throws
        -> Int64
    {
        if try await console.store.mailbox(accountID: ann.id, name: folder) == nil {
            _ = try await console.store.createMailboxTree(accountID: ann.id, name: folder)
        }
        let data = Array("From: Bob <bob@example.net>\r\nSubject: \(subject)\r\n\r\nbody\r\n".utf8)
        let added = try await console.store.append(accountID: ann.id, mailbox: folder, data: data, flags: ["\\Seen"])
        _ = try await console.store.expunge(mailboxID: added.mailboxID, uids: [added.uid])
        return added.mailboxID
    }

    func get(_ client: any TestClientProtocol, _ uri: String, _ cookie: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { ($0.status, String(buffer: $0.body)) }
    }

    func post(_ client: any TestClientProtocol, _ uri: String, _ cookie: String, _ body: String) async throws -> (
        status: HTTPResponse.Status, location: String?, flash: String?
    ) {
        var headers = ConsolePageTests.form
        headers[.cookie] = cookie
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            ($0.status, $0.headers[.location], $0.headers[values: .setCookie].first { $0.contains("flash") })
        }
    }

    /// The id of Ann's kept message of `folder`, checked to be offered in `html`'s form.
    static func id(_ console: AdminConsole, _ ann: Account, folder: String, in html: String) async throws -> String {
        let kept = try await console.store.deletedMessages(accountID: ann.id, filter: DeletedMessageFilter(mailbox: folder))
        let id = String(try #require(kept.first?.id))
        #expect(html.contains("name=\"id\" value=\"\(id)\""))
        return id
    }

    @Test func helpdeskListsAndRestoresOnTheConsole() async throws {
        try await Self.with { console, ann, client in
            let inbox = try await Self.deleted(console, ann, subject: "<b>Budget</b> 2027")
            try await Self.deleted(console, ann, subject: "Plans", folder: "Projects")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "hal", "help-secret-1")

            let (accountStatus, account) = try await get(client, "/admin/account?address=ann%40example.org", cookie)
            #expect(accountStatus == .ok)
            #expect(account.contains("href=\"/admin/account/deleted?address=ann%40example.org\""))

            let (status, html) = try await get(client, "/admin/account/deleted?address=ann%40example.org", cookie)
            #expect(status == .ok)
            #expect(html.contains("&lt;b&gt;Budget&lt;/b&gt; 2027") && !html.contains("<b>Budget"))
            #expect(html.contains("Plans") && html.contains("Bob &lt;bob@example.net&gt;"))
            #expect(html.contains("kept for 14 days"))
            #expect(html.contains("Restore selected") && !html.contains("Restore folder"))
            #expect(html.contains("<option value=\"Projects\">Projects</option>"))
            let (_, projects) = try await get(client, "/admin/account/deleted?address=ann%40example.org&folder=Projects", cookie)
            #expect(projects.contains("Plans") && !projects.contains("Budget") && projects.contains("Restore folder Projects"))

            // Without the token: refused, nothing restored.
            let budget = try await Self.id(console, ann, folder: "INBOX", in: html)
            let refused = try await post(
                client, "/admin/account/deleted/restore", cookie, "address=ann%40example.org&scope=ticked&id=\(budget)")
            #expect(refused.status == .forbidden)
            #expect(try await console.store.messages(mailboxID: inbox).isEmpty)

            let done = try await post(
                client, "/admin/account/deleted/restore", cookie,
                "csrf=\(csrf)&address=ann%40example.org&scope=ticked&id=\(budget)")
            #expect(done.status == .seeOther)
            #expect(done.location == "/admin/account/deleted?address=ann%40example.org")
            #expect(done.flash?.contains("Restored%201%20message%20to%20INBOX.") == true)
            let back = try await console.store.messages(mailboxID: inbox)
            #expect(back.count == 1 && back.first?.flags == ["\\Seen"])

            let folder = try await post(
                client, "/admin/account/deleted/restore", cookie,
                "csrf=\(csrf)&address=ann%40example.org&scope=folder&folder=Projects")
            #expect(folder.status == .seeOther)
            let (_, after) = try await get(client, "/admin/account/deleted?address=ann%40example.org", cookie)
            #expect(after.contains("No deleted message of this account is kept."))
        }
    }

    @Test func anotherDomainsAdminIsRefused() async throws {
        try await Self.with { console, ann, client in
            try await Self.deleted(console, ann, subject: "Secret")
            let (cookie, csrf) = try await ConsolePageTests.logIn(client, "otto", "otto-secret-1")
            let (status, html) = try await get(client, "/admin/account/deleted?address=ann%40example.org", cookie)
            #expect(status == .forbidden && !html.contains("Secret"))
            let refused = try await post(
                client, "/admin/account/deleted/restore", cookie,
                "csrf=\(csrf)&address=ann%40example.org&scope=folder&folder=INBOX")
            #expect(refused.status == .forbidden)
            #expect(try await console.store.deletedMessages(accountID: ann.id).count == 1)
        }
    }

    @Test func userRestoresOnTheWebmail() async throws {
        try await Self.with { console, ann, client in
            let inbox = try await Self.deleted(console, ann, subject: "Lunch <today>")
            try await Self.deleted(console, ann, subject: "Holiday", folder: "Trips")
            let (cookie, csrf) = try await WebmailPageTests.logIn(client)

            let (_, list) = try await get(client, "/mail/list?folder=INBOX", cookie)
            #expect(list.contains("<a href=\"/mail/deleted\">Recently deleted</a>"))
            let (status, html) = try await get(client, "/mail/deleted", cookie)
            #expect(status == .ok)
            #expect(html.contains("Lunch &lt;today&gt;") && html.contains("Holiday") && html.contains(">Bob<"))
            #expect(html.contains("kept for 14 days"))
            #expect(html.contains("<option value=\"Trips\">Trips</option>"))
            let (_, trips) = try await get(client, "/mail/deleted?folder=Trips", cookie)
            #expect(trips.contains("Holiday") && !trips.contains("Lunch") && trips.contains("Restore all of Trips"))

            let lunch = try await Self.id(console, ann, folder: "INBOX", in: html)
            let refused = try await post(client, "/mail/deleted/restore", cookie, "scope=ticked&id=\(lunch)")
            #expect(refused.status == .forbidden)
            #expect(try await console.store.messages(mailboxID: inbox).isEmpty)

            let done = try await post(
                client, "/mail/deleted/restore", cookie, "csrf=\(csrf)&back=%2Fmail%2Fdeleted&scope=ticked&id=\(lunch)")
            #expect(done.status == .seeOther && done.location == "/mail/deleted")
            #expect(done.flash?.contains("Restored%201%20message%20to%20INBOX.") == true)
            let back = try await console.store.messages(mailboxID: inbox)
            #expect(back.count == 1 && back.first?.flags == ["\\Seen"])

            let folder = try await post(client, "/mail/deleted/restore", cookie, "csrf=\(csrf)&scope=folder&folder=Trips")
            #expect(folder.status == .seeOther)
            let trip = try #require(try await console.store.mailbox(accountID: ann.id, name: "Trips"))
            #expect(try await console.store.messages(mailboxID: trip.id).count == 1)
            let (_, after) = try await get(client, "/mail/deleted", cookie)
            #expect(after.contains("No recently deleted messages."))
        }
    }
}
