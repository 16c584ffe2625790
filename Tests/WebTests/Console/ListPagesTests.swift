import Admin
import Core
import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Lists
import Logging
import Policy
import PostaTestSupport
import Queue
import Store
import Testing

@testable import Web

/// The console's mailing list pages on a site whose lists work (list transport, queue runner):
/// listing, creating, members, deciding a held post through the page, the CSRF check, and a
/// domain admin kept to their domains.
@Suite struct ListPagesTests {
    static let cli = ConsolePageTests.cli
    static let logger = Logger(label: "web-tests")

    struct Site: Sendable {
        let console: AdminConsole
        let client: any TestClientProtocol
        let directory: Directory
        let store: MailStore
        let queue: MailQueue
        let transport: ListTransport

        /// Queues `text` from `sender` to `recipient` as SMTP would, then runs the queue until idle.
        func post(_ text: String, from sender: String, to recipient: String = "dept@example.org") async throws {
            let deliveries = try #require(
                try await MailQueue.deliveries(for: try MailAddress(parsing: recipient), directory: directory))
            let (id, file) = try queue.openSpoolFile()
            try file.write(Array(text.utf8))
            try await queue.commit(
                id: id, file: file,
                envelope: QueuedEnvelope(reversePath: try MailAddress(parsing: sender), clientIP: "192.0.2.1", helo: "c"),
                deliveries: deliveries)
            try await drain()
        }

        func drain() async throws {
            let runner = QueueRunner(
                queue: queue, store: store, schedule: RetrySchedule(first: .seconds(1)), lists: transport, logger: logger)
            for _ in 0..<5 where try await runner.runOnce() > 0 {}
        }

        /// The subjects in `address`'s INBOX.
        func inbox(_ address: String) async throws -> [String] {
            guard let account = try await directory.account(address),
                let box = try await store.mailbox(accountID: account.id, name: "INBOX")
            else { return [] }
            return try await store.messages(mailboxID: box.id).map { message in
                let text = String(decoding: FileManager.default.contents(atPath: message.path) ?? Data(), as: UTF8.self)
                return text.split(whereSeparator: \.isNewline).first { $0.hasPrefix("Subject: ") }.map {
                    String($0.dropFirst("Subject: ".count))
                } ?? ""
            }
        }

        func get(_ uri: String, _ cookie: String) async throws -> (HTTPResponse.Status, String) {
            try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) {
                ($0.status, String(buffer: $0.body))
            }
        }

        /// A form POST; the status, the Location and the flash cookie's text.
        func post(_ uri: String, _ cookie: String, _ fields: [(String, String)]) async throws -> (
            status: HTTPResponse.Status, location: String?, flash: String, body: String
        ) {
            var headers = ConsolePageTests.form
            headers[.cookie] = cookie
            let body = fields.map { "\($0.0)=\(FormData.encode($0.1))" }.joined(separator: "&")
            return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
                response in
                let flash = response.headers[values: .setCookie].first { $0.hasPrefix("__Host-posta_flash=") }
                    .flatMap { Flash(cookieValue: String($0.dropFirst("__Host-posta_flash=".count).prefix { $0 != ";" })) }
                return (response.status, response.headers[.location], flash?.text ?? "", String(buffer: response.body))
            }
        }
    }

    /// A site with example.org and example.net, accounts alice, bob (example.org) and a superadmin
    /// `root`, mounted as Server mounts the console.
    static func with(_ body: @Sendable (Site) async throws -> Void) async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await db.migrate(
                DirectorySchema.migrations + LoginSchema.migrations + StoreSchema.migrations + QueueSchema.migrations
                    + PolicySchema.migrations + AdminSchema.migrations + ListsSchema.migrations)
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let directory = Directory(database: db, services: [ListAddressService()])
            let queue = MailQueue(database: db, spoolDirectory: folder.path + "/spool", nodeID: "n1", logger: logger)
            try queue.prepare()
            let store = MailStore(database: db, root: folder.path + "/mail", nodeID: "n1", logger: logger)
            let transport = ListTransport(
                lists: MailingLists(database: db), directory: directory, queue: queue,
                settings: ListDeliverySettings(
                    webBase: "https://mail.example.org", hostname: "mail.example.org", heldDirectory: folder.path + "/held"),
                signer: nil, authorPolicy: nil, logger: logger)
            let console = AdminConsole(
                database: db, directory: directory, store: store, queue: queue,
                authenticator: Authenticator(directory: directory, loginLog: LoginLog(database: db)),
                settings: AdminSettings(), logger: logger, listTransport: transport)
            for domain in ["example.org", "example.net"] { try await directory.addDomain(domain) }
            for address in ["alice@example.org", "bob@example.org"] {
                let account = try await directory.addAccount(address, password: try StoredPassword("{PLAIN}x"))
                try await store.provision(account: account)
            }
            _ = try await console.addAdministrator(
                as: cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [], displayName: "Root")
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addConsole(to: router, console: console, logger: logger)
            try await Application(router: router).test(.router) { client in
                try await body(
                    Site(
                        console: console, client: client, directory: directory, store: store, queue: queue,
                        transport: transport))
            }
        }
    }

    @Test func bansAndHeaderRulesThroughThePage() async throws {
        try await Self.with { site in
            let (cookie, csrf) = try await ConsolePageTests.logIn(site.client, "root", "root-secret-1")
            try await site.console.createList(as: Self.cli, address: "dept@example.org", settings: ListSettings())
            var (status, html) = try await site.get("/admin/list/rules?address=dept%40example.org", cookie)
            #expect(status == .ok && html.contains("Nobody is banned.") && html.contains("No rule."))
            #expect(!html.contains("<option value=\"defer\""))
            let banned = try await site.post(
                "/admin/list/bans/add", cookie,
                [("csrf", csrf), ("list", "dept@example.org"), ("pattern", "*@junk.example")])
            #expect(banned.status == .seeOther && banned.flash == "Banned *@junk.example.")
            let bad = try await site.post(
                "/admin/list/rules/add", cookie,
                [("csrf", csrf), ("list", "dept@example.org"), ("field", "Subject"), ("pattern", "casino"), ("action", "defer")])
            #expect(bad.status == .unprocessableContent && bad.body.contains("accept, hold, reject or discard"))
            let added = try await site.post(
                "/admin/list/rules/add", cookie,
                [
                    ("csrf", csrf), ("list", "dept@example.org"), ("field", "Subject"), ("pattern", "<b>casino"),
                    ("action", "discard"),
                ])
            #expect(added.status == .seeOther)
            (status, html) = try await site.get("/admin/list/rules?address=dept%40example.org", cookie)
            #expect(html.contains("<code>*@junk.example</code>") && html.contains("<code>&lt;b&gt;casino</code>"))
            let rules = try await site.console.listRules(as: Self.cli, list: "dept@example.org")
            #expect(rules.bans.map(\.pattern) == ["*@junk.example"])
            #expect(rules.headerRules.map(\.action) == [.discard])
            // The CSRF check, then removal of both.
            let forged = try await site.post(
                "/admin/list/bans/delete", cookie,
                [("csrf", "wrong"), ("list", "dept@example.org"), ("pattern", "*@junk.example")])
            #expect(forged.status == .forbidden)
            _ = try await site.post(
                "/admin/list/bans/delete", cookie,
                [("csrf", csrf), ("list", "dept@example.org"), ("pattern", "*@junk.example")])
            _ = try await site.post(
                "/admin/list/rules/delete", cookie,
                [("csrf", csrf), ("list", "dept@example.org"), ("id", "\(rules.headerRules[0].id)")])
            let after = try await site.console.listRules(as: Self.cli, list: "dept@example.org")
            #expect(after.bans.isEmpty && after.headerRules.isEmpty)
        }
    }

    @Test func createListAddMembersAndShowThem() async throws {
        try await Self.with { site in
            let (cookie, csrf) = try await ConsolePageTests.logIn(site.client, "root", "root-secret-1")
            var (status, html) = try await site.get("/admin/lists", cookie)
            #expect(status == .ok)
            #expect(html.contains("<a href=\"/admin/lists\" aria-current=\"page\">Lists</a>"))
            #expect(html.contains("No mailing lists yet."))

            let created = try await site.post(
                "/admin/lists/add", cookie,
                [
                    ("csrf", csrf), ("address", "dept@example.org"), ("name", "Dept"), ("owner", "Head <alice@example.org>"),
                    ("style", "discussion"),
                ])
            #expect(created.status == .seeOther)
            #expect(created.location == "/admin/list?address=dept%40example.org")
            #expect(created.flash == "List dept@example.org created.")
            let list = try await site.console.mailingList(as: Self.cli, address: "dept@example.org")
            #expect(list.displayName == "Dept" && list.style == .discussion)
            let owners = try await site.console.listMembers(as: Self.cli, list: "dept@example.org", role: .owner)
            #expect(owners.map(\.address) == ["alice@example.org"] && owners.first?.displayName == "Head")

            // One line refused, the others added (a name in "Name <address>").
            let added = try await site.post(
                "/admin/list/members/add", cookie,
                [
                    ("csrf", csrf), ("list", "dept@example.org"), ("role", "member"),
                    ("addresses", "bob@example.org\r\nCarol Example <carol@example.net>\r\n\r\nnot an address\r\n"),
                ])
            #expect(added.status == .seeOther)
            #expect(added.flash == "Added 2 members; 1 refused: not an address: not an address")
            let members = try await site.console.listMembers(as: Self.cli, list: "dept@example.org", role: .member)
            #expect(members.map(\.address).sorted() == ["bob@example.org", "carol@example.net"])
            #expect(members.first { $0.address == "carol@example.net" }?.displayName == "Carol Example")

            (status, html) = try await site.get("/admin/lists?domain=example.org", cookie)
            #expect(html.contains("<a href=\"/admin/list?address=dept%40example.org\">dept@example.org</a>"))
            #expect(html.contains("<td data-label=\"Members\" class=\"nowrap\">2</td>"))
            (status, html) = try await site.get("/admin/list?address=dept%40example.org", cookie)
            #expect(status == .ok)
            #expect(html.contains("<h1>dept@example.org</h1>"))
            #expect(html.contains("Carol Example"))
            #expect(html.contains("<option value=\"discussion\" selected>"))
            #expect(html.contains("name=\"max-size\" type=\"text\" value=\"1M\""))

            // Per member: delivery off and a digest, then removal.
            let set = try await site.post(
                "/admin/list/members/set", cookie,
                [
                    ("csrf", csrf), ("list", "dept@example.org"), ("address", "bob@example.org"), ("role", "member"),
                    ("delivery", "off"), ("mode", "mime-digest"), ("moderation", "hold"),
                ])
            #expect(set.status == .seeOther)
            let bob = try await site.console.listMembers(as: Self.cli, list: "dept@example.org", role: .member)
                .first { $0.address == "bob@example.org" }
            #expect(bob?.disabled == .moderator && bob?.mode == .mimeDigest && bob?.moderation == .hold)
            let removed = try await site.post(
                "/admin/list/members/delete", cookie,
                [("csrf", csrf), ("list", "dept@example.org"), ("address", "carol@example.net"), ("role", "member")])
            #expect(removed.flash == "Removed carol@example.net (member).")

            // Settings: the form is every setting; a bad size re-shows it as typed.
            var settings: [(String, String)] = [
                ("csrf", csrf), ("list", "dept@example.org"), ("form", "settings"), ("name", "Department"),
                ("style", "announce"), ("subject-prefix", "[D]"), ("reply-to", "list"), ("member-action", "accept"),
                ("nonmember-action", "reject"), ("max-size", "lots"), ("max-recipients", "20"),
                ("administrivia", "true"), ("dmarc-mitigation", "wrap"), ("footer", "Bye\r\nnow"),
                ("bounce-threshold", "3"), ("bounce-warnings", "2"), ("subscribe-policy", "moderate"),
                ("unsubscribe-policy", "open"), ("digest-size-threshold", "60K"), ("digest-period", "weekly"),
                ("archive", "public"), ("members-from", "none"), ("delivery-style", "personalised"), ("hold-days", "7"),
            ]
            let refused = try await site.post("/admin/list/settings", cookie, settings)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("Largest post: a size such as 30K or 2M"))
            #expect(refused.body.contains("name=\"max-size\" type=\"text\" value=\"lots\""))
            #expect(try await site.console.mailingList(as: Self.cli, address: "dept@example.org").style == .discussion)
            settings[9] = ("max-size", "2M")
            let saved = try await site.post("/admin/list/settings", cookie, settings)
            #expect(saved.status == .seeOther)
            let changed = try await site.console.mailingList(as: Self.cli, address: "dept@example.org")
            #expect(changed.displayName == "Department" && changed.style == .announce && changed.subjectPrefix == "[D]")
            #expect(changed.nonmemberAction == .reject && changed.maxSize == 2 << 20 && changed.maxRecipients == 20)
            #expect(!changed.requireExplicitDestination && changed.administrivia && !changed.emergency)
            #expect(changed.footer == "Bye\nnow" && changed.digestSizeThreshold == 60 << 10 && changed.archive == .public)
            #expect(changed.subscribePolicy == .moderate && changed.unsubscribePolicy == .open && changed.holdDays == 7)

            // Deleting takes the confirmation page's button.
            (status, html) = try await site.get("/admin/list/delete?address=dept%40example.org", cookie)
            #expect(status == .ok && html.contains("Delete dept@example.org for good?"))
            let unconfirmed = try await site.post(
                "/admin/list/delete", cookie, [("csrf", csrf), ("list", "dept@example.org")])
            #expect(unconfirmed.status == .unprocessableContent)
            let deleted = try await site.post(
                "/admin/list/delete", cookie,
                [("csrf", csrf), ("list", "dept@example.org"), ("confirm", "dept@example.org")])
            #expect(deleted.status == .seeOther && deleted.location == "/admin/lists?domain=example.org")
            #expect(try await site.console.mailingLists(as: Self.cli).isEmpty)
        }
    }

    @Test func aHeldPostIsReadAndApprovedThroughThePage() async throws {
        try await Self.with { site in
            try await site.console.createList(as: Self.cli, address: "dept@example.org", settings: ListSettings())
            _ = try await site.console.addListMembers(
                as: Self.cli, list: "dept@example.org", members: [("bob@example.org", "")], role: .member)
            let post =
                "From: Stranger <someone@else.example>\r\nTo: dept@example.org\r\nSubject: <b>Hello</b> list\r\n"
                + "Message-ID: <held1@else.example>\r\n\r\nA post from <outside>.\r\n"
            try await site.post(post, from: "someone@else.example")
            let held = try await site.console.heldPosts(as: Self.cli, list: "dept@example.org")
            let id = try #require(held.first?.id)
            let (cookie, csrf) = try await ConsolePageTests.logIn(site.client, "root", "root-secret-1")

            var (status, html) = try await site.get("/admin/lists", cookie)
            #expect(html.contains("<span class=\"badge badge-warn\">1 held</span>"))
            (status, html) = try await site.get("/admin/list/held?address=dept%40example.org", cookie)
            #expect(status == .ok)
            #expect(html.contains("&lt;b&gt;Hello&lt;/b&gt; list"))
            #expect(html.contains("someone@else.example"))
            #expect(html.contains("name=\"decision\" value=\"reject\""))
            (status, html) = try await site.get("/admin/list/held/show?address=dept%40example.org&id=\(id)", cookie)
            #expect(status == .ok)
            #expect(html.contains("<code>Message-ID</code></th><td>&lt;held1@else.example&gt;</td>"))
            #expect(html.contains("A post from &lt;outside&gt;."))

            let decided = try await site.post(
                "/admin/list/held/decide", cookie,
                [("csrf", csrf), ("list", "dept@example.org"), ("id", "\(id)"), ("decision", "approve")])
            #expect(decided.status == .seeOther)
            #expect(decided.location == "/admin/list/held?address=dept%40example.org")
            #expect(decided.flash == "Approved: the post goes to the members.")
            #expect(try await site.console.heldPosts(as: Self.cli).isEmpty)
            try await site.drain()
            #expect(try await site.inbox("bob@example.org").contains("[dept] <b>Hello</b> list"))
            // A second decision on the same post: told it is gone, nothing else happens.
            let again = try await site.post(
                "/admin/list/held/decide", cookie,
                [("csrf", csrf), ("list", "dept@example.org"), ("id", "\(id)"), ("decision", "discard")])
            #expect(again.status == .seeOther && again.flash.contains("no longer held"))
            // The audit log names the decision.
            let audit = try await site.console.auditLog(as: Self.cli, AuditFilter(action: "list.held.approve", limit: 5))
            #expect(audit.items.count == 1 && audit.items.first?.channel == .web)
        }
    }

    @Test func everyListFormNeedsTheToken() async throws {
        try await Self.with { site in
            let (cookie, csrf) = try await ConsolePageTests.logIn(site.client, "root", "root-secret-1")
            for token in ["", csrf + "x"] {
                let refused = try await site.post(
                    "/admin/lists/add", cookie, [("csrf", token), ("address", "dept@example.org"), ("style", "open")])
                #expect(refused.status == .forbidden)
            }
            #expect(try await site.console.mailingLists(as: Self.cli).isEmpty)
            try await site.console.createList(as: Self.cli, address: "dept@example.org", settings: ListSettings())
            for (uri, fields) in [
                (
                    "/admin/list/members/add",
                    [("list", "dept@example.org"), ("role", "member"), ("addresses", "bob@example.org")]
                ),
                ("/admin/list/delete", [("list", "dept@example.org"), ("confirm", "dept@example.org")]),
                ("/admin/list/held/decide", [("list", "dept@example.org"), ("id", "1"), ("decision", "approve")]),
            ] {
                #expect(try await site.post(uri, cookie, fields).status == .forbidden, "\(uri)")
            }
            #expect(try await site.console.listMembers(as: Self.cli, list: "dept@example.org").isEmpty)
            #expect(try await site.console.mailingLists(as: Self.cli).count == 1)
        }
    }

    @Test func aDomainAdminSeesOnlyTheirDomainsLists() async throws {
        try await Self.with { site in
            try await site.console.createList(as: Self.cli, address: "dept@example.org", settings: ListSettings())
            try await site.console.createList(as: Self.cli, address: "other@example.net", settings: ListSettings())
            _ = try await site.console.addAdministrator(
                as: Self.cli, login: "dora", password: "dora-secret-1", role: .domainAdmin, domains: ["example.org"],
                displayName: "Dora")
            let (cookie, csrf) = try await ConsolePageTests.logIn(site.client, "dora", "dora-secret-1")
            var (status, html) = try await site.get("/admin/lists", cookie)
            #expect(status == .ok)
            #expect(html.contains("dept@example.org") && !html.contains("other@example.net"))
            for uri in [
                "/admin/list?address=other%40example.net", "/admin/list/held?address=other%40example.net",
                "/admin/list/delete?address=other%40example.net", "/admin/lists?domain=example.net",
            ] {
                (status, html) = try await site.get(uri, cookie)
                #expect(status == .forbidden, "\(uri)")
                #expect(!html.contains("other@example.net</h1>"))
            }
            let refused = try await site.post(
                "/admin/list/members/add", cookie,
                [("csrf", csrf), ("list", "other@example.net"), ("role", "member"), ("addresses", "eve@example.org")])
            #expect(refused.status == .forbidden)
            #expect(try await site.console.listMembers(as: Self.cli, list: "other@example.net").isEmpty)
            (status, html) = try await site.get("/admin/list?address=dept%40example.org", cookie)
            #expect(status == .ok)
        }
    }
}
