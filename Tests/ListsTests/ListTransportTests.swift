import Core
import Directory
import Foundation
import MIME
import PostaTestSupport
import Queue
import SQLKit
import Testing

@testable import Lists

@Suite("List transport: posts through the queue to every member, exactly once")
struct ListTransportTests {
    static let post =
        "From: Alice <alice@example.net>\r\nTo: dept@example.org\r\nSubject: Plans\r\nMessage-ID: <p1@example.net>\r\n\r\nHello\r\n"

    @Test("an accepted post reaches each member with its own unsubscribe link and VERP sender", arguments: TestDatabases.dialects)
    func distributes(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            let carol = try await f.account("carol@example.org")
            try await f.lists.create("dept@example.org")
            for member in ["alice@example.net", "bob@example.org", "carol@example.org", "dave@example.com"] {
                try await f.lists.addMember("dept@example.org", address: member)
            }
            try await f.lists.setMember("dept@example.org", address: "carol@example.org", disabled: .some(.user), moderation: nil)
            try await f.post(Self.post)
            _ = try await f.runner().runOnce()
            // One message per member whose delivery is on, from the member's VERP address.
            let queued = try await f.queued()
            let tokens = try await f.lists.members("dept@example.org").filter { $0.disabled == nil }.map {
                "dept-bounces+\($0.token.lowercased())@example.org"
            }
            #expect(queued.map(\.reversePath).sorted() == tokens.sorted())
            #expect(queued.count == 3)
            try await f.drain()
            let copies = try await f.inbox(bob)
            #expect(copies.count == 1)
            let copy = MIMEMessage(copies[0])
            #expect(copy.header["Subject"] == "[dept] Plans")
            #expect(copy.header["List-Id"] == "<dept.example.org>")
            let bobToken = try await f.lists.member("dept@example.org", address: "bob@example.org").token
            #expect(copy.header["Return-Path"] == "<dept-bounces+\(bobToken.lowercased())@example.org>")
            // Unsigned (no DKIM key): no List-Unsubscribe-Post (RFC 8058 §4).
            #expect(copy.header["List-Unsubscribe-Post"] == nil)
            let link = try #require(copy.header["List-Unsubscribe"])
            #expect(link.hasPrefix("<https://mail.example.org/lists/unsubscribe/"))
            #expect(try await f.inbox(carol).isEmpty)
            // The link is bob's: it removes bob and nobody else.
            #expect(link.hasSuffix(">, <mailto:dept-leave@example.org>"))
            let url = try #require(link.split(separator: ",").first)
            let token = String(url.dropFirst("<https://mail.example.org/lists/unsubscribe/".count).dropLast())
            let removed = try #require(try await f.lists.unsubscribe(token: token))
            #expect(removed.address == "bob@example.org")
            #expect(try await f.lists.unsubscribe(token: token) == nil)
            #expect(
                try await f.lists.members("dept@example.org").map(\.address) == [
                    "alice@example.net", "carol@example.org", "dave@example.com",
                ])
        }
    }

    @Test("a delivery retried after its copies were queued queues nothing again", arguments: TestDatabases.dialects)
    func exactlyOnce(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            try await f.lists.addMember("dept@example.org", address: "alice@example.net")
            try await f.lists.addMember("dept@example.org", address: "dave@example.com")
            let id = try await f.post(Self.post)
            let message = OutboundMessage(
                id: id, reversePath: "alice@example.net", spoolPath: f.queue.spoolPath("msg/\(id)"), size: 0, body: .sevenBit,
                smtpUTF8: false)
            let target = OutboundTarget(rowID: 1, address: "dept@example.org")
            #expect(await f.transport.deliver(message, domain: "example.org", targets: [target]) == [1: .delivered])
            // The outcome was lost (a crash before the queue recorded it): the retry finds the post's record.
            #expect(await f.transport.deliver(message, domain: "example.org", targets: [target]) == [1: .delivered])
            #expect(try await f.queued().count == 2 + 1)  // two copies, and the post itself still pending
        }
    }

    @Test(
        "held posts wait for a moderator; approve posts them, reject tells the sender, discard drops",
        arguments: TestDatabases.dialects)
    func moderation(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            try await f.lists.create("dept@example.org")
            try await f.lists.addMember("dept@example.org", address: "bob@example.org")
            // Alice is not a member: held.
            try await f.post(Self.post)
            try await f.drain()
            var held = try await f.transport.held()
            #expect(held.count == 1)
            #expect(held[0].reason.contains("not a member"))
            #expect(try await f.inbox(bob).isEmpty)
            try await f.transport.decide(held[0].id, .approve)
            await #expect(throws: ListError.unknownHeld(held[0].id)) { try await f.transport.decide(held[0].id, .discard) }
            try await f.drain()
            #expect(try await f.inbox(bob).count == 1)

            // Rejected: a notice to the author; discarded: nothing.
            try await f.post(Self.post.replacingOccurrences(of: "Plans", with: "Second"))
            try await f.post(Self.post.replacingOccurrences(of: "Plans", with: "Third"))
            try await f.drain()
            held = try await f.transport.held(list: "dept@example.org").sorted { $0.subject < $1.subject }
            #expect(held.map(\.subject) == ["Second", "Third"])
            try await f.transport.decide(held[0].id, .reject, reason: "off topic")
            try await f.transport.decide(held[1].id, .discard)
            let notices = try await f.queued()
            #expect(notices.count == 1)
            #expect(notices[0].targets == ["alice@example.net"] && notices[0].reversePath == "")
            #expect(try await f.transport.held().isEmpty)
            #expect(try await f.inbox(bob).count == 1)
            let files = try FileManager.default.contentsOfDirectory(atPath: f.folder.path + "/held")
            #expect(files.isEmpty)
        }
    }

    @Test("a strict DMARC author is munged, a relaxed one is not", arguments: [Database.Dialect.sqlite])
    func dmarc(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect, strictDomains: ["strict.example"]) { f in
            let bob = try await f.account("bob@example.org")
            try await f.lists.create(
                "dept@example.org",
                settings: {
                    var s = ListSettings()
                    s.style = .open
                    return s
                }())
            try await f.lists.addMember("dept@example.org", address: "bob@example.org")
            try await f.post(
                Self.post.replacingOccurrences(of: "alice@example.net", with: "alice@strict.example"),
                from: "alice@strict.example")
            try await f.post(Self.post.replacingOccurrences(of: "Plans", with: "Relaxed"))
            try await f.drain()
            let froms = try await f.inbox(bob).map { MIMEMessage($0).header["From"] ?? "" }.sorted()
            #expect(froms == ["Alice <alice@example.net>", "Alice via dept <dept@example.org>"])
        }
    }

    @Test(
        "-owner reaches the owners; a bounce to a VERP address counts against that member", arguments: [Database.Dialect.sqlite])
    func ownerAndBounces(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let owner = try await f.account("owner@example.org")
            var settings = ListSettings()
            settings.bounceThreshold = 1
            try await f.lists.create("dept@example.org", settings: settings)
            try await f.lists.addMember("dept@example.org", address: "owner@example.org", role: .owner)
            try await f.lists.addMember("dept@example.org", address: "dave@example.com")
            try await f.post(
                "From: x@example.net\r\nTo: dept-owner@example.org\r\nSubject: question\r\n\r\nhi\r\n",
                to: "dept-owner@example.org")
            // A copy that has been through -owner once (an owner forwards back) is dropped.
            try await f.post(
                "X-BeenThere: dept-owner@example.org\r\nFrom: x@example.net\r\nTo: dept-owner@example.org\r\nSubject: again\r\n\r\nhi\r\n",
                to: "dept-owner@example.org")
            let dsn = """
                From: MAILER-DAEMON@example.com\r
                To: dept-bounces@example.org\r
                Subject: Undelivered Mail Returned to Sender\r
                MIME-Version: 1.0\r
                Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r
                \r
                --b\r
                Content-Type: text/plain\r
                \r
                gone\r
                --b\r
                Content-Type: message/delivery-status\r
                \r
                Reporting-MTA: dns; mx.example.com\r
                \r
                Final-Recipient: rfc822; dave@example.com\r
                Action: failed\r
                Status: 5.1.1\r
                --b--\r

                """
            // Forged: the plain bounce address, a wrong token, a non-null sender's auto-reply to
            // the right token: nothing counts.
            let daveToken = try await f.lists.member("dept@example.org", address: "dave@example.com").token
            let verp = VERP.encode(list: try MailAddress(parsing: "dept@example.org"), token: daveToken).description
            try await f.post(dsn, to: "dept-bounces@example.org", from: nil)
            try await f.post(dsn, to: "dept-bounces+wrongtoken@example.org", from: nil)
            try await f.post(
                "From: dave@example.com\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\naway\r\n", to: verp,
                from: "dave@example.com")
            try await f.drain()
            #expect(try await f.lists.members("dept@example.org", role: .member).first?.disabled == nil)
            try await f.post(dsn, to: verp, from: nil)
            try await f.drain()
            #expect(try await f.inbox(owner).count == 1)
            let dave = try await f.lists.members("dept@example.org", role: .member)
            #expect(dave.first?.disabled == .bounces)
            // A second bounce the same day counts nothing more (one per day).
            let score = {
                try await f.database.withConnection { db in
                    try await db.select().column("bounce_score").from("list_member").where(
                        "address_key", .equal, "dave@example.com"
                    )
                    .first(decodingColumn: "bounce_score", as: Int64.self)
                }
            }
            #expect(try await score() == 1)
            try await f.post(dsn.replacingOccurrences(of: "gone", with: "gone again"), to: verp, from: nil)
            try await f.drain()
            #expect(try await score() == 1)
        }
    }

    @Test("list addresses are recipients; accounts and aliases cannot take them", arguments: [Database.Dialect.sqlite])
    func addresses(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            for address in ["dept@example.org", "dept-owner@example.org", "DEPT-bounces+x=y.example@example.org"] {
                guard case .deliver(let targets) = try await f.directory.resolve(try MailAddress(parsing: address)),
                    case .service = targets.first
                else {
                    Issue.record("\(address) is not a list address")
                    continue
                }
            }
            #expect(try await f.directory.resolve(try MailAddress(parsing: "dept-other@example.org")) == .unknown)
            // A list may not take another list's companion addresses, nor give its own away.
            await #expect(throws: ListError.self) { try await f.lists.create("dept-owner@example.org") }
            await #expect(throws: ListError.self) { try await f.lists.create("dept-confirm@example.org") }
            try await f.lists.create("team-request@example.org")
            await #expect(throws: ListError.self) { try await f.lists.create("team@example.org") }
            // Owners are people, and no list takes its own addresses as members.
            await #expect(throws: ListError.self) {
                try await f.lists.addMember("dept@example.org", address: "team-request@example.org", role: .owner)
            }
            await #expect(throws: ListError.self) {
                try await f.lists.addMember("dept@example.org", address: "dept-owner@example.org")
            }
            await #expect(throws: DirectoryError.serviceAddress("dept-owner@example.org", service: "mailing list")) {
                try await f.directory.addAlias("dept-owner@example.org", targets: ["x@example.net"])
            }
            _ = try await f.account("staff@example.org")
            await #expect(throws: ListError.addressTaken("staff@example.org")) { try await f.lists.create("staff@example.org") }
            await #expect(throws: ListError.notLocal("x@elsewhere.example")) { try await f.lists.create("x@elsewhere.example") }
            await #expect(throws: ListError.self) {
                try await f.lists.addMember("dept@example.org", address: "DEPT@example.org")
            }
        }
    }
}
