import Admin
import Core
import Directory
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MIME
import SQLKit
import Store
import Testing
import Webmail

@testable import Web

/// The webmail end to end on the console's sessions: login, the pages, the security headers,
/// downloads, the CSRF check, sending through a recording sender.
@Suite struct WebmailPageTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// A console and webmail on one router, with Ann's account.
    static func with(
        sender: (any WebmailSending)? = nil,
        _ body: @Sendable (AdminConsole, Webmail, Account, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestConsole.with(.sqlite, logger: ConsoleFixture.logger) { console in
            let router = Router(context: WebRequestContext.self)
            WebRoutes.addConsole(to: router, console: console, logger: ConsoleFixture.logger)
            let webmail = Webmail(
                database: console.database, directory: console.directory, store: console.store, logger: ConsoleFixture.logger)
            WebRoutes.addWebmail(to: router, console: console, webmail: webmail, sender: sender, logger: ConsoleFixture.logger)
            try await console.directory.addDomain("example.org")
            let ann = try await console.directory.addAccount(
                "ann@example.org", password: try StoredPassword("{PLAIN}ann-secret-1"), displayName: "Ann")
            try await console.store.provision(account: ann)
            try await Application(router: router).test(.router) { client in try await body(console, webmail, ann, client) }
        }
    }

    /// Logs in at /mail/login; the session cookie and the CSRF token of the inbox page.
    static func logIn(_ client: any TestClientProtocol, _ login: String = "ann@example.org", _ password: String = "ann-secret-1")
        async throws -> (cookie: String, csrf: String)
    {
        let token = try await client.execute(uri: "/mail/login", method: .get) { response in
            #expect(response.status == .ok)
            let cookie = try #require(response.headers[.setCookie])
            return String(cookie.dropFirst("__Host-posta_login_csrf=".count).prefix { $0 != ";" })
        }
        var headers = form
        headers[.cookie] = "__Host-posta_login_csrf=\(token)"
        let session = try await client.execute(
            uri: "/mail/login", method: .post, headers: headers,
            body: ByteBuffer(string: "csrf=\(token)&login=\(FormData.encode(login))&password=\(FormData.encode(password))")
        ) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/mail")
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("__Host-posta_session=") })
            return String(cookie.prefix { $0 != ";" })
        }
        let csrf = try await client.execute(uri: "/mail/list?folder=INBOX", method: .get, headers: [.cookie: session]) {
            response in
            #expect(response.status == .ok)
            return try #require(ConsolePageTests.csrf(in: String(buffer: response.body)))
        }
        return (session, csrf)
    }

    static func deliver(_ store: MailStore, _ account: Account, _ text: String, folder: String = "INBOX") async throws -> UInt32 {
        let bytes = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        return try await store.append(accountID: account.id, mailbox: folder, data: bytes).uid
    }

    @Test func loginListAndReadWithTheSecurityHeaders() async throws {
        try await Self.with { console, _, ann, client in
            try await client.execute(uri: "/mail/list?folder=INBOX", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/mail/login")
            }
            let uid = try await Self.deliver(
                console.store, ann,
                """
                From: Eve <eve@example.net>
                Subject: <script>alert(1)</script> hello
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: text/html

                <p onclick="x()">Hi <a href="javascript:alert(1)">there</a> <img src="https://tracker.example/p.gif"></p>
                --b
                Content-Type: text/html; name="page.html"
                Content-Disposition: attachment; filename="page.html"

                <script>alert(2)</script>
                --b--
                """)
            let (cookie, _) = try await Self.logIn(client)
            // The login log has it as a `web` login of the account: reading mail, for abuse detection.
            let logged = try await console.database.withConnection { db in
                try await db.raw("SELECT account_id, protocol, success FROM login_event ORDER BY id DESC").first()
            }
            #expect(try logged?.decode(column: "protocol", as: String.self) == "web")
            #expect(try logged?.decode(column: "success", as: Bool.self) == true)
            #expect(try logged?.decode(column: "account_id", as: Int64?.self) == ann.id)
            try await client.execute(uri: "/mail/list?folder=INBOX", method: .get, headers: [.cookie: cookie]) { response in
                let html = String(buffer: response.body)
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; hello"))
                #expect(!html.contains("<script>alert(1)"))
                #expect(html.contains("Inbox"))
            }
            try await client.execute(uri: "/mail/message?folder=INBOX&uid=\(uid)", method: .get, headers: [.cookie: cookie]) {
                response in
                let html = String(buffer: response.body)
                #expect(response.status == .ok)
                #expect(html.contains("sandbox=\"allow-popups allow-popups-to-escape-sandbox\""))
                #expect(html.contains("Remote images and styles in this message were blocked"))
                #expect(html.contains("page.html"))
            }
            try await client.execute(
                uri: "/mail/message/html?folder=INBOX&uid=\(uid)&part=1", method: .get, headers: [.cookie: cookie]
            ) { response in
                let html = String(buffer: response.body)
                let policy = try #require(response.headers[.contentSecurityPolicy])
                #expect(policy.contains("sandbox"))
                #expect(!policy.contains("script-src"))
                #expect(policy.contains("img-src data:;"))
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "SAMEORIGIN")
                #expect(!html.contains("onclick"))
                #expect(!html.contains("javascript:"))
                #expect(!html.contains("tracker.example"))
                #expect(html.contains("rel=\"noreferrer noopener\"") || !html.contains("<a "))
            }
            try await client.execute(
                uri: "/mail/message/html?folder=INBOX&uid=\(uid)&part=1&remote=1", method: .get, headers: [.cookie: cookie]
            ) { response in
                #expect(String(buffer: response.body).contains("tracker.example"))
                #expect(response.headers[.contentSecurityPolicy]?.contains("img-src data: https: http:") == true)
            }
            // An HTML attachment is a download, never a page of this site.
            try await client.execute(
                uri: "/mail/message/part?folder=INBOX&uid=\(uid)&part=2", method: .get, headers: [.cookie: cookie]
            ) { response in
                #expect(response.headers[.contentType] == "application/octet-stream")
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"page.html\"; filename*=UTF-8''page.html")
                #expect(response.headers[.contentSecurityPolicy] == "default-src 'none'; sandbox")
                #expect(String(buffer: response.body) == "<script>alert(2)</script>")
            }
        }
    }

    @Test func everyPostNeedsTheTokenAndActionsWork() async throws {
        try await Self.with { console, webmail, ann, client in
            let uid = try await Self.deliver(console.store, ann, "From: bob@example.net\nSubject: one\n\nbody\n")
            let (cookie, csrf) = try await Self.logIn(client)
            var headers = Self.form
            headers[.cookie] = cookie
            for body in ["folder=INBOX&uid=\(uid)&action=delete", "folder=INBOX&uid=\(uid)&action=delete&csrf=\(csrf)x"] {
                try await client.execute(uri: "/mail/actions", method: .post, headers: headers, body: ByteBuffer(string: body)) {
                    response in #expect(response.status == .forbidden)
                }
            }
            #expect(try await webmail.list(ann, MessageListQuery(folder: "INBOX")).total == 1)
            try await client.execute(
                uri: "/mail/actions", method: .post, headers: headers,
                body: ByteBuffer(
                    string: "folder=INBOX&uid=\(uid)&action=delete&csrf=\(csrf)&back=%2Fmail%2Flist%3Ffolder%3DINBOX")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/mail/list?folder=INBOX")
            }
            #expect(try await webmail.list(ann, MessageListQuery(folder: "Trash")).total == 1)
            // A `back` that leaves the webmail goes to the inbox instead.
            try await client.execute(
                uri: "/mail/folders/create", method: .post, headers: headers,
                body: ByteBuffer(string: "name=Projects&csrf=\(csrf)&back=https%3A%2F%2Fevil.example%2F")
            ) { response in #expect(response.headers[.location] == "/mail/folders") }
            try await client.execute(
                uri: "/mail/actions", method: .post, headers: headers,
                body: ByteBuffer(string: "folder=INBOX&uid=1&action=read&csrf=\(csrf)&back=%2F%2Fevil.example")
            ) { response in #expect(response.headers[.location] == "/mail") }
            #expect(try await webmail.folders(ann).contains { $0.name == "Projects" })
        }
    }

    @Test func composeSendsThroughTheSenderAndRefusesOversizeUploads() async throws {
        let sender = RecordingWebSender(maxMessageBytes: 200_000)
        try await Self.with(sender: sender) { _, webmail, ann, client in
            let (cookie, csrf) = try await Self.logIn(client)
            let boundary = "XyZ123"
            func multipart(_ fields: [(String, String)], file: (String, [UInt8])?) -> ByteBuffer {
                var body = ""
                for (name, value) in fields {
                    body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
                }
                var buffer = ByteBuffer(string: body)
                if let (name, bytes) = file {
                    buffer.writeString(
                        "--\(boundary)\r\nContent-Disposition: form-data; name=\"attach\"; filename=\"\(name)\"\r\nContent-Type: text/plain\r\n\r\n"
                    )
                    buffer.writeBytes(bytes)
                    buffer.writeString("\r\n")
                }
                buffer.writeString("--\(boundary)--\r\n")
                return buffer
            }
            var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
            headers[.cookie] = cookie
            let fields = [
                ("csrf", csrf), ("to", "bob@example.net"), ("subject", "Hi"), ("body", "Hello Bob"), ("action", "send"),
            ]
            try await client.execute(
                uri: "/mail/compose", method: .post, headers: headers,
                body: multipart(fields, file: ("notes.txt", Array("notes\n".utf8)))
            ) { response in
                #expect(response.status == .seeOther)
            }
            let sent = try #require(sender.sent.first)
            #expect(sent.recipients == ["bob@example.net"])
            let message = MIMEMessage(sent.bytes)
            #expect(message.root.parts.count == 2)
            #expect(message.decodedBody(of: message.root.parts[1]) == Array("notes\n".utf8))
            #expect(try await webmail.list(ann, MessageListQuery(folder: "Sent")).total == 1)

            // Over the size: a clear message, nothing sent, the message and its file kept as a draft.
            try await client.execute(
                uri: "/mail/compose", method: .post, headers: headers,
                body: multipart(fields, file: ("big.bin", Array(repeating: 65, count: 180_000)))
            ) { response in
                #expect(response.status == .unprocessableContent)
                let html = String(buffer: response.body)
                #expect(html.contains("this site accepts at most"))
                #expect(html.contains("saved in Drafts"))
                #expect(html.contains("big.bin"))
            }
            #expect(sender.sent.count == 1)
            #expect(try await webmail.list(ann, MessageListQuery(folder: "Drafts")).total == 1)
            // A body far over the limit is cut off by the server before it is read.
            try await client.execute(
                uri: "/mail/compose", method: .post, headers: headers,
                body: multipart(fields, file: ("huge.bin", Array(repeating: 65, count: 600_000)))
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(String(buffer: response.body).contains("larger than this site allows"))
            }
            #expect(sender.sent.count == 1)
        }
    }

    @Test func anAdministratorIsNotLetIntoWebmail() async throws {
        try await Self.with { console, _, _, client in
            _ = try await console.addAdministrator(
                as: ConsolePageTests.cli, login: "root", password: "root-secret-1", role: .superadmin, domains: [],
                displayName: "Root")
            let (cookie, _) = try await ConsolePageTests.logIn(client, "root", "root-secret-1")
            try await client.execute(uri: "/mail/list", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .forbidden)
            }
        }
    }
}

/// A `WebmailSending` that records what it was given.
final class RecordingWebSender: WebmailSending, @unchecked Sendable {
    let maxMessageBytes: Int
    private let lock = NSLock()
    private var _sent: [OutgoingMessage] = []

    init(maxMessageBytes: Int) { self.maxMessageBytes = maxMessageBytes }

    var sent: [OutgoingMessage] { lock.withLock { _sent } }

    func send(_ message: OutgoingMessage, account: Account, clientIP: String) async -> SendOutcome {
        lock.withLock { _sent.append(message) }
        return .accepted(queueID: "Q\(sent.count)")
    }
}

/// Plain-text links and page numbers from hostile input.
@Suite struct WebmailInputTests {
    @Test func linksAreFoundInLinearTime() {
        let start = ContinuousClock.now
        let runs = PlainTextLinks.runs(String(repeating: ")", count: 2_000_000))
        #expect(ContinuousClock.now - start < .seconds(30))
        #expect(runs.allSatisfy { $0.link == nil })
        let mixed = PlainTextLinks.runs(
            "see (https://en.wikipedia.org/wiki/Mail_(disambiguation)). or www.example.net, x@example.org")
        #expect(
            mixed.compactMap(\.link) == [
                "https://en.wikipedia.org/wiki/Mail_(disambiguation)", "https://www.example.net", "mailto:x@example.org",
            ])
    }

    @Test func pageNumbersNeverOverflow() {
        #expect(MailPages.pageIndex("-9223372036854775808") == 0)
        #expect(MailPages.pageIndex("9223372036854775807") == 999_999)
        #expect(MailPages.pageIndex("abc") == 0)
        #expect(MailPages.pageIndex("3") == 2)
    }
}
