import Core
import Directory
import Hummingbird
import HummingbirdTesting
import Logging
import PostaTestSupport
import Testing
import Web

@testable import Lists

/// The member options page on the list routes as Server mounts them: GET shows, only POST
/// changes, an unknown token is a 404 page, and the page is never cached by others.
@Suite struct ListOptionsPageTests {
    static let logger = Logger(label: "web-tests")
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// A list `dept@example.org` ("Dept") with member bob@example.net; its token.
    static func with(_ body: @Sendable (MailingLists, String, any TestClientProtocol) async throws -> Void) async throws {
        try await TestDatabases.with(.sqlite) { db in
            try await db.migrate(DirectorySchema.migrations + ListsSchema.migrations)
            let directory = Directory(database: db, services: [ListAddressService()])
            try await directory.addDomain("example.org")
            let lists = MailingLists(database: db)
            var settings = ListSettings()
            settings.displayName = "Dept"
            settings.description = "Department news"
            try await lists.create("dept@example.org", settings: settings)
            let token = try await lists.addMember("dept@example.org", address: "bob@example.net").token
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addLists(to: router, lists: lists, transport: nil, console: nil, logger: logger)
            try await Application(router: router).test(.router) { client in try await body(lists, token, client) }
        }
    }

    static func member(_ lists: MailingLists) async throws -> ListMember {
        try await lists.member("dept@example.org", address: "bob@example.net")
    }

    @Test func getShowsTheListTheMemberAndTheFormAndChangesNothing() async throws {
        try await Self.with { lists, token, client in
            for _ in 0..<2 {
                try await client.execute(uri: "/lists/options/\(token)", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == "private, no-store")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                    let html = String(buffer: response.body)
                    #expect(html.contains("<strong>Dept</strong> (dept@example.org): Department news"))
                    #expect(html.contains("<strong>bob@example.net</strong>"))
                    #expect(html.contains("<form method=\"post\" action=\"/lists/options/\(token)\""))
                    #expect(html.contains("<option value=\"on\" selected>"))
                    #expect(html.contains("<option value=\"regular\" selected>"))
                    #expect(html.contains("href=\"/lists/unsubscribe/\(token)\""))
                    #expect(html.contains("sent daily, or sooner when the waiting posts pass 30 KiB"))
                    #expect(!html.contains("flash-ok"))
                }
            }
            // Even with a query that looks like the form: GET never changes anything.
            try await client.execute(uri: "/lists/options/\(token)?delivery=off&mode=mime-digest", method: .get) { response in
                #expect(response.status == .ok)
            }
            let member = try await Self.member(lists)
            #expect(member.disabled == nil && member.mode == .regular)
        }
    }

    @Test func postAppliesTheFormAndShowsThePageAgainSaved() async throws {
        try await Self.with { lists, token, client in
            try await client.execute(
                uri: "/lists/options/\(token)", method: .post, headers: Self.form,
                body: ByteBuffer(string: "delivery=off&mode=mime-digest")
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "private, no-store")
                let html = String(buffer: response.body)
                #expect(html.contains("<div class=\"flash flash-ok\" role=\"status\">Saved.</div>"))
                #expect(html.contains("<option value=\"off\" selected>"))
                #expect(html.contains("<option value=\"mime-digest\" selected>"))
            }
            var member = try await Self.member(lists)
            #expect(member.disabled == .user && member.mode == .mimeDigest)

            try await client.execute(
                uri: "/lists/options/\(token)", method: .post, headers: Self.form,
                body: ByteBuffer(string: "delivery=on&mode=plain-digest")
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("<option value=\"plain-digest\" selected>"))
            }
            member = try await Self.member(lists)
            #expect(member.disabled == nil && member.mode == .plainDigest)

            // Made-up values change nothing.
            try await client.execute(
                uri: "/lists/options/\(token)", method: .post, headers: Self.form,
                body: ByteBuffer(string: "delivery=maybe&mode=weekly")
            ) { response in
                #expect(response.status == .ok)
            }
            member = try await Self.member(lists)
            #expect(member.disabled == nil && member.mode == .plainDigest)
        }
    }

    @Test func bounceAndModeratorStopsAreExplained() async throws {
        try await Self.with { lists, token, client in
            try await lists.setMember("dept@example.org", address: "bob@example.net", disabled: .some(.bounces), moderation: nil)
            try await client.execute(uri: "/lists/options/\(token)", method: .get) { response in
                #expect(String(buffer: response.body).contains("because messages to it bounced"))
            }
            try await client.execute(
                uri: "/lists/options/\(token)", method: .post, headers: Self.form,
                body: ByteBuffer(string: "delivery=on&mode=regular")
            ) { response in
                #expect(String(buffer: response.body).contains("delivery is on again, and the bounces are forgotten"))
            }
            #expect(try await Self.member(lists).disabled == nil)

            try await lists.setMember(
                "dept@example.org", address: "bob@example.net", disabled: .some(.moderator), moderation: nil)
            try await client.execute(uri: "/lists/options/\(token)", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("A moderator of the list stopped delivery"))
                #expect(html.contains("<select id=\"delivery\" name=\"delivery\" disabled"))
            }
            // A hand-made POST cannot turn it on.
            try await client.execute(
                uri: "/lists/options/\(token)", method: .post, headers: Self.form, body: ByteBuffer(string: "delivery=on")
            ) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Delivery stays off"))
            }
            #expect(try await Self.member(lists).disabled == .moderator)
        }
    }

    @Test func anUnknownTokenIsANotFoundPage() async throws {
        try await Self.with { lists, token, client in
            for method in [HTTPRequest.Method.get, .post] {
                try await client.execute(
                    uri: "/lists/options/not-a-token", method: method, headers: Self.form,
                    body: ByteBuffer(string: "delivery=off")
                ) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.cacheControl] == "private, no-store")
                    #expect(String(buffer: response.body).contains("names no subscription"))
                }
            }
            // The member, unsubscribed: its old link is a 404 too.
            try await lists.removeMember("dept@example.org", address: "bob@example.net")
            try await client.execute(uri: "/lists/options/\(token)", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func theUnsubscribePageOffersTheOptionsInstead() async throws {
        try await Self.with { _, token, client in
            try await client.execute(uri: "/lists/unsubscribe/\(token)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(
                    String(buffer: response.body).contains("<a href=\"/lists/options/\(token)\">Change your options instead</a>"))
            }
        }
    }
}
