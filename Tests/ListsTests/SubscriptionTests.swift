import Core
import Directory
import Foundation
import MIME
import PostaTestSupport
import Queue
import SQLKit
import Testing

@testable import Lists

@Suite("Subscriptions and moderation by mail: -join, -leave, -request, -confirm+COOKIE")
struct SubscriptionTests {
    /// The confirmation cookie of the last message in `account`'s INBOX (its Subject).
    static func cookie(in messages: [[UInt8]]) throws -> String {
        let subject = try #require(messages.last.flatMap { MIMEMessage($0).header["Subject"] })
        return try #require(ListCookie.find(in: subject), "no cookie in \(subject)")
    }

    static func mail(from: String, to: String, subject: String, body: String = "", extra: String = "") -> String {
        "From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\n\(extra)\r\n\(body)\r\n"
    }

    @Test(
        "confirm: -join sends a cookie; a reply to -confirm+COOKIE subscribes; the cookie works once",
        arguments: TestDatabases.dialects)
    func confirmByReply(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let newbie = try await f.account("newbie@example.org")
            try await f.lists.create("dept@example.org")
            try await f.post(
                Self.mail(from: "newbie@example.org", to: "dept-join@example.org", subject: "hi"), to: "dept-join@example.org",
                from: "newbie@example.org")
            try await f.drain()
            let confirmation = try await f.inbox(newbie)
            #expect(confirmation.count == 1)
            let message = MIMEMessage(confirmation[0])
            let cookie = try Self.cookie(in: confirmation)
            #expect(message.header["From"]?.contains("dept-confirm+\(cookie)@example.org") == true)
            #expect(message.header["Auto-Submitted"] == "auto-replied")
            #expect(try await f.lists.members("dept@example.org").isEmpty)
            let pending = try await f.lists.pendingRequests("dept@example.org")
            #expect(pending.map(\.kind) == [.subscribe])

            // The reply: to the Reply-To address, quoting the notice.
            try await f.post(
                Self.mail(
                    from: "Newbie <newbie@example.org>", to: "dept-confirm+\(cookie)@example.org",
                    subject: "Re: confirm \(cookie)",
                    body: "> Someone, probably you"), to: "dept-confirm+\(cookie)@example.org", from: "newbie@example.org")
            try await f.drain()
            #expect(try await f.lists.members("dept@example.org").map(\.address) == ["newbie@example.org"])
            let inbox = try await f.inbox(newbie)
            #expect(inbox.count == 2)
            #expect(MIMEMessage(inbox[1]).header["Subject"]?.hasPrefix("Welcome to") == true)

            // Used: the same cookie does nothing (the member leaves, the old cookie cannot bring it back).
            try await f.lists.removeMember("dept@example.org", address: "newbie@example.org")
            #expect(try await f.lists.confirm(cookie: cookie) == .unknown)
            #expect(try await f.lists.members("dept@example.org").isEmpty)
        }
    }

    @Test(
        "-request: commands in Subject and body, a results reply; confirm COOKIE in the Subject works",
        arguments: [Database.Dialect.sqlite])
    func requestCommands(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let newbie = try await f.account("newbie@example.org")
            try await f.lists.create("dept@example.org")
            try await f.post(
                Self.mail(from: "newbie@example.org", to: "dept-request@example.org", subject: "subscribe"),
                to: "dept-request@example.org", from: "newbie@example.org")
            try await f.drain()
            var inbox = try await f.inbox(newbie)
            // The confirmation and the results.
            #expect(inbox.count == 2)
            let subjects = inbox.map { MIMEMessage($0).header["Subject"] ?? "" }
            let cookie = try #require(subjects.compactMap { ListCookie.find(in: $0) }.first)
            #expect(subjects.contains { $0.hasPrefix("The results of your commands") })
            try await f.post(
                Self.mail(from: "newbie@example.org", to: "dept-request@example.org", subject: "Re: confirm \(cookie)"),
                to: "dept-request@example.org", from: "newbie@example.org")
            try await f.drain()
            #expect(try await f.lists.members("dept@example.org").map(\.address) == ["newbie@example.org"])
            // unsubscribe + help in the body, a signature after them is not read.
            try await f.lists.update("dept@example.org") { $0.unsubscribePolicy = .open }
            try await f.post(
                Self.mail(
                    from: "newbie@example.org", to: "dept-request@example.org", subject: "",
                    body: "unsubscribe\r\nhelp\r\n-- \r\nsubscribe"), to: "dept-request@example.org", from: "newbie@example.org")
            try await f.drain()
            #expect(try await f.lists.members("dept@example.org").isEmpty)
            inbox = try await f.inbox(newbie)
            let results = try #require(
                inbox.map { MIMEMessage($0) }.last { $0.header["Subject"]?.hasPrefix("The results") == true })
            let text = results.decodedText(of: results.root) ?? ""
            #expect(text.contains("newbie@example.org has left") && text.contains("confirm COOKIE"))
        }
    }

    @Test("robots are not answered: the null sender, Auto-Submitted, Precedence: bulk", arguments: [Database.Dialect.sqlite])
    func noAutoReplies(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            try await f.post(
                Self.mail(from: "robot@example.net", to: "dept-request@example.org", subject: "subscribe"),
                to: "dept-request@example.org", from: nil)
            try await f.post(
                Self.mail(
                    from: "robot@example.net", to: "dept-join@example.org", subject: "x",
                    extra: "Auto-Submitted: auto-replied\r\n"),
                to: "dept-join@example.org", from: "robot@example.net")
            try await f.post(
                Self.mail(from: "robot@example.net", to: "dept-join@example.org", subject: "x", extra: "Precedence: bulk\r\n"),
                to: "dept-join@example.org", from: "robot@example.net")
            try await f.drain()
            #expect(try await f.queued().isEmpty)
            #expect(try await f.lists.pendingRequests("dept@example.org").isEmpty)
        }
    }

    @Test(
        "an expired cookie does nothing; a forged request mails one address at most three times",
        arguments: TestDatabases.dialects)
    func expiryAndFlood(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            guard
                case .confirm(let request) = try await f.lists.requestSubscription(
                    "dept@example.org", address: "victim@example.net", source: .web)
            else {
                Issue.record("not a confirmation")
                return
            }
            try await f.database.withConnection { db in
                try await db.update("list_pending").set("expires_at", to: SQLBind(UnixTime.now() - 1))
                    .where("id", .equal, request.id).run()
            }
            #expect(try await f.lists.pending(cookie: request.cookie) == nil)
            #expect(try await f.lists.confirm(cookie: request.cookie) == .expired)
            #expect(try await f.lists.confirm(cookie: request.cookie) == .unknown)
            #expect(try await f.lists.members("dept@example.org").isEmpty)
            var steps: [SubscriptionStep] = []
            for _ in 0..<5 {
                steps.append(
                    try await f.lists.requestSubscription("dept@example.org", address: "victim@example.net", source: .web))
            }
            #expect(steps.filter { if case .confirm = $0 { true } else { false } }.count == 3)
            #expect(steps.suffix(2) == [.tooManyPending, .tooManyPending])
            // Malformed cookies are not looked up.
            #expect(try await f.lists.confirm(cookie: "' OR 1=1 --") == .unknown)
        }
    }

    @Test(
        "open: mail joins at once, the web form still confirms; moderate: a moderator approves by reply",
        arguments: [Database.Dialect.sqlite])
    func policies(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let owner = try await f.account("owner@example.org")
            let newbie = try await f.account("newbie@example.org")
            var settings = ListSettings()
            settings.subscribePolicy = .open
            try await f.lists.create("dept@example.org", settings: settings)
            try await f.lists.addMember("dept@example.org", address: "owner@example.org", role: .owner)
            let web = try await f.lists.requestSubscription("dept@example.org", address: "web@example.net", source: .web)
            #expect({ if case .confirm = web { true } else { false } }())
            try await f.post(
                Self.mail(from: "newbie@example.org", to: "dept-join@example.org", subject: "join"), to: "dept-join@example.org",
                from: "newbie@example.org")
            try await f.drain()
            #expect(try await f.lists.members("dept@example.org", role: .member).map(\.address) == ["newbie@example.org"])
            #expect(MIMEMessage(try await f.inbox(newbie)[0]).header["Subject"]?.hasPrefix("Welcome") == true)

            // confirm-then-moderate: the address confirms, then the owner gets the request.
            try await f.lists.update("dept@example.org") { $0.subscribePolicy = .confirmThenModerate }
            let other = try await f.account("other@example.org")
            try await f.post(
                Self.mail(from: "other@example.org", to: "dept-join@example.org", subject: "join"), to: "dept-join@example.org",
                from: "other@example.org")
            try await f.drain()
            let first = try Self.cookie(in: try await f.inbox(other))
            #expect(try await f.transport.confirm(cookie: first, accept: true).contains("waiting for a moderator"))
            try await f.drain()
            let notice = try await f.inbox(owner)
            #expect(notice.count == 1)
            let second = try Self.cookie(in: notice)
            #expect(second != first)
            #expect(MIMEMessage(notice[0]).header["Reply-To"] == "dept-confirm+\(second)@example.org")
            #expect(try await f.lists.members("dept@example.org", role: .member).count == 1)
            try await f.post(
                Self.mail(from: "owner@example.org", to: "dept-confirm+\(second)@example.org", subject: "Re: x", body: "ok"),
                to: "dept-confirm+\(second)@example.org", from: "owner@example.org")
            try await f.drain()
            #expect(
                try await f.lists.members("dept@example.org", role: .member).map(\.address) == [
                    "newbie@example.org", "other@example.org",
                ])
        }
    }

    @Test(
        "a held post's notice reaches the owner; replies approve it or reject it with a reason", arguments: TestDatabases.dialects
    )
    func heldByMail(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let owner = try await f.account("owner@example.org")
            let bob = try await f.account("bob@example.org")
            try await f.lists.create("dept@example.org")
            try await f.lists.addMember("dept@example.org", address: "owner@example.org", role: .owner)
            try await f.lists.addMember("dept@example.org", address: "bob@example.org")
            try await f.post(ListTransportTests.post)
            try await f.drain()
            let notices = try await f.inbox(owner)
            #expect(notices.count == 1)
            let notice = MIMEMessage(notices[0])
            let cookie = try Self.cookie(in: notices)
            // The held post travels with the notice.
            #expect(notice.root.parts.contains { $0.contentType.mimeType == "message/rfc822" })
            // A forged approval by someone without the cookie does nothing.
            try await f.post(
                Self.mail(from: "owner@example.org", to: "dept-request@example.org", subject: "confirm aaaaaaaaaaaaaaaaaaaaaaaa"),
                to: "dept-request@example.org", from: "owner@example.org")
            try await f.drain()
            #expect(try await f.inbox(bob).isEmpty)
            try await f.post(
                Self.mail(
                    from: "owner@example.org", to: "dept-confirm+\(cookie)@example.org", subject: "Re: x", body: "Looks fine"),
                to: "dept-confirm+\(cookie)@example.org", from: "owner@example.org")
            try await f.drain()
            #expect(try await f.inbox(bob).count == 1)
            #expect(try await f.transport.held().isEmpty)
            #expect(try await f.lists.pendingRequests("dept@example.org").isEmpty)

            // Rejected by reply: the author is told the reason.
            try await f.post(ListTransportTests.post.replacingOccurrences(of: "Plans", with: "Spam"))
            try await f.drain()
            let rejectCookie = try Self.cookie(in: try await f.inbox(owner))
            try await f.post(
                Self.mail(
                    from: "owner@example.org", to: "dept-confirm+\(rejectCookie)@example.org", subject: "Re: x",
                    body: "reject: off topic\r\n\r\n> A post to dept"), to: "dept-confirm+\(rejectCookie)@example.org",
                from: "owner@example.org")
            try await f.drain()
            #expect(try await f.inbox(bob).count == 1)
            let told = try await f.queued().filter { $0.targets == ["alice@example.net"] }
            #expect(told.count == 1)
            // The CLI's decision on a post consumes its cookie too.
            try await f.post(ListTransportTests.post.replacingOccurrences(of: "Plans", with: "Third"))
            try await f.drain()
            let third = try Self.cookie(in: try await f.inbox(owner))
            try await f.transport.decide(try #require(try await f.transport.held().first).id, .discard)
            #expect(try await f.lists.confirm(cookie: third) == .unknown)
        }
    }

    @Test("an owner's address in From: passes moderation only when this host verified it", arguments: [Database.Dialect.sqlite])
    func forgedOwner(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            var settings = ListSettings()
            settings.style = .announce
            try await f.lists.create("dept@example.org", settings: settings)
            try await f.lists.addMember("dept@example.org", address: "boss@example.org", role: .owner)
            try await f.lists.addMember("dept@example.org", address: "bob@example.org")
            let post = ListTransportTests.post.replacingOccurrences(of: "alice@example.net", with: "boss@example.org")
            try await f.post(post, from: "boss@example.org")
            try await f.drain()
            #expect(try await f.transport.held().count == 1)
            let received =
                "Received: from c ([192.0.2.1])\r\n\tby mail.example.org (Posta) with ESMTPSA id Q1;\r\n\tSat, 05 Dec 2026 10:00:00 +0000\r\n"
            try await f.post(received + post.replacingOccurrences(of: "Plans", with: "Signed in"), from: "boss@example.org")
            try await f.drain()
            #expect(try await f.inbox(bob).count == 1)
            #expect(try await f.transport.held().count == 1)
        }
    }
}

@Suite("List commands, reply intents, cookies and poster verification (pure)")
struct ListCommandTests {
    @Test("commands: Subject first, body lines until a non-command or a signature")
    func commands() {
        let cookie = "abcdefghijklmnopqrstuv23"
        #expect(ListCommand.parse(subject: "subscribe", body: "") == [.subscribe])
        #expect(ListCommand.parse(subject: "Re: confirm \(cookie)", body: "") == [.confirm(cookie: cookie)])
        #expect(ListCommand.parse(subject: "[dept] Re: your request confirm \(cookie)", body: "") == [.confirm(cookie: cookie)])
        #expect(ListCommand.parse(subject: "", body: "leave\r\nhelp\r\n-- \r\nsubscribe") == [.unsubscribe, .help])
        #expect(ListCommand.parse(subject: "Question about the list", body: "Hello,\r\nhow do I post?") == [])
        #expect(ListCommand.parse(subject: "", body: "subscribe me to this list please now") == [])
        #expect(ListCommand.parse(subject: "confirm short", body: "") == [])
        #expect(ListCommand.parse(subject: "", body: String(repeating: "help\r\n", count: 1000)) == [.help])
    }

    @Test("a reply's first own line decides: reject REASON, discard, else approve")
    func intents() {
        #expect(ReplyIntent.parse(body: "") == .approve)
        #expect(ReplyIntent.parse(body: "> reject this") == .approve)
        #expect(ReplyIntent.parse(body: "\r\nReject: off topic\r\n> quoted") == .reject(reason: "off topic"))
        #expect(ReplyIntent.parse(body: "discard") == .discard)
        #expect(ReplyIntent.parse(body: "On Sat, Dec 5, Dept wrote:\r\n> ...") == .approve)
    }

    @Test("cookies: 24 lower-case base32 characters, found after 'confirm'")
    func cookies() {
        let cookie = ListCookie.make()
        #expect(ListCookie.isWellFormed(cookie) && cookie.count == 24)
        #expect(ListCookie.make() != cookie)
        #expect(ListCookie.find(in: "Re: Confirm \(cookie.uppercased())") == cookie)
        #expect(ListCookie.find(in: "confirm") == nil)
        #expect(!ListCookie.isWellFormed("ABCDEFGHIJKLMNOPQRSTUVWX"))
    }

    @Test("poster verification: this host's DMARC pass for the author's domain, or authenticated submission")
    func verification() throws {
        let author = try MailAddress(parsing: "boss@example.org")
        let spool = Array(
            "Received: from c ([192.0.2.1])\r\n\tby mx.example.org (Posta) with ESMTPS id Q;\r\n\tdate\r\nFrom: boss@example.org\r\n\r\nx"
                .utf8)
        #expect(!PosterVerification.isVerified(author: author, addedFields: "", spool: spool, hostname: "mx.example.org"))
        let pass =
            "Authentication-Results: mx.example.org;\r\n\tdmarc=pass (p=none) header.from=example.org policy.dmarc=none\r\n"
        #expect(PosterVerification.isVerified(author: author, addedFields: pass, spool: spool, hostname: "mx.example.org"))
        // Another host's results, or a pass for another domain, do not count.
        #expect(!PosterVerification.isVerified(author: author, addedFields: pass, spool: spool, hostname: "other.example"))
        let other = pass.replacingOccurrences(of: "header.from=example.org", with: "header.from=example.com")
        #expect(!PosterVerification.isVerified(author: author, addedFields: other, spool: spool, hostname: "mx.example.org"))
        let fail = pass.replacingOccurrences(of: "dmarc=pass", with: "dmarc=fail")
        #expect(!PosterVerification.isVerified(author: author, addedFields: fail, spool: spool, hostname: "mx.example.org"))
        let submitted = Array(String(decoding: spool, as: UTF8.self).replacingOccurrences(of: "ESMTPS", with: "ESMTPSA").utf8)
        #expect(PosterVerification.isVerified(author: author, addedFields: "", spool: submitted, hostname: "mx.example.org"))
        // A Received field the sender wrote lower down proves nothing.
        let forged = Array("From: boss@example.org\r\n".utf8) + submitted
        #expect(!PosterVerification.isVerified(author: author, addedFields: "", spool: forged, hostname: "mx.example.org"))
    }

    @Test("subject prefixes: one pass over a huge run of Re: and prefixes")
    func hugeSubject() {
        let subject = String(repeating: "Re: [dept] ", count: 100_000) + "x"
        #expect(ListCopy.prefixed(subject, prefix: "[dept]") == "[dept] Re: x")
    }
}
