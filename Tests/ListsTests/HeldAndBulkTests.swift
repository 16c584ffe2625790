import Core
import Foundation
import MIME
import PostaTestSupport
import SQLKit
import Testing

@testable import Lists

@Suite("Bulk delivery, forwarding, expiry and the cap of held posts")
struct HeldAndBulkTests {
    static let post = ListTransportTests.post

    @Test("a bulk list queues one copy for many members, from the plain -bounces address", arguments: TestDatabases.dialects)
    func bulk(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            let carol = try await f.account("carol@example.org")
            try await f.lists.create("dept@example.org")
            try await f.lists.update("dept@example.org") { $0.deliveryStyle = .bulk }
            for member in ["alice@example.net", "bob@example.org", "carol@example.org", "dave@example.com"] {
                try await f.lists.addMember("dept@example.org", address: member)
            }
            try await f.post(Self.post)
            _ = try await f.runner().runOnce()
            let queued = try await f.queued()
            #expect(queued.count == 1)
            #expect(queued.first?.reversePath == "dept-bounces@example.org")
            #expect(queued.first?.targets.count == 4)
            try await f.drain()
            let copies = try await f.inbox(bob) + f.inbox(carol)
            #expect(copies.count == 2)
            // The same bytes for everyone below the delivery's own Return-Path and Delivered-To.
            let bodies = copies.map { String(decoding: $0, as: UTF8.self) }.map {
                $0[$0.range(of: "List-Unsubscribe:")!.lowerBound...]
            }
            #expect(bodies[0] == bodies[1])
            let copy = MIMEMessage(copies[0])
            #expect(copy.header["List-Unsubscribe"] == "<mailto:dept-leave@example.org>")
            #expect(copy.header["List-Unsubscribe-Post"] == nil)
            #expect(copy.header["Subject"] == "[dept] Plans")
        }
    }

    @Test("a bulk list splits its members into copies of at most bulkRecipients", arguments: [Database.Dialect.sqlite])
    func bulkBatches(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            try await f.lists.update("dept@example.org") { $0.deliveryStyle = .bulk }
            let count = ListTransport.bulkRecipients + 7
            for n in 0..<count { try await f.lists.addMember("dept@example.org", address: "m\(n)@example.com") }
            try await f.lists.addMember("dept@example.org", address: "alice@example.net")
            try await f.post(Self.post)
            _ = try await f.runner().runOnce()
            let sizes = try await f.queued().map(\.targets.count).sorted()
            #expect(sizes == [8, ListTransport.bulkRecipients])
        }
    }

    @Test("forward sends a held post to someone and leaves it held", arguments: TestDatabases.dialects)
    func forward(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let expert = try await f.account("expert@example.org")
            try await f.lists.create("dept@example.org")
            try await f.post(Self.post)
            try await f.drain()
            let held = try #require(try await f.transport.held().first)
            try await f.transport.forwardHeld(held.id, to: [try MailAddress(parsing: "expert@example.org")], note: "Is this ok?")
            await #expect(throws: ListError.unknownHeld(held.id + 100)) {
                try await f.transport.forwardHeld(held.id + 100, to: [try MailAddress(parsing: "expert@example.org")])
            }
            try await f.drain()
            let got = try await f.inbox(expert)
            #expect(got.count == 1)
            let message = MIMEMessage(got[0])
            #expect(message.header["Subject"] == "Held post to dept@example.org: Plans")
            let text = String(decoding: got[0], as: UTF8.self)
            #expect(
                text.contains("Is this ok?") && text.contains("message/rfc822") && text.contains("Message-ID: <p1@example.net>"))
            #expect(try await f.transport.held().map(\.id) == [held.id])
        }
    }

    @Test("held posts past the list's hold-days are discarded; 0 keeps them", arguments: TestDatabases.dialects)
    func expiry(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            try await f.lists.create("keep@example.org")
            try await f.lists.update("dept@example.org") { $0.holdDays = 3 }
            try await f.lists.update("keep@example.org") { $0.holdDays = 0 }
            try await f.post(Self.post)
            try await f.post(Self.post.replacingOccurrences(of: "dept@", with: "keep@"), to: "keep@example.org")
            try await f.post(Self.post.replacingOccurrences(of: "Plans", with: "Fresh"))
            try await f.drain()
            let held = try await f.transport.held()
            #expect(held.count == 3)
            let now = UnixTime.now()
            // The first two were held four days ago.
            try await f.database.withConnection { db in
                for post in held where post.subject == "Plans" {
                    try await db.raw("UPDATE list_held SET held_at = \(bind: now - 4 * 86_400) WHERE id = \(bind: post.id)").run()
                }
            }
            #expect(try await f.transport.expireHeld(now: now) == 1)
            #expect(try await f.transport.held().map(\.subject).sorted() == ["Fresh", "Plans"])
            #expect(try await f.transport.held(list: "keep@example.org").count == 1)
            #expect(try await f.transport.expireHeld(now: now) == 0)
            let files = try FileManager.default.contentsOfDirectory(atPath: f.folder.path + "/held")
            #expect(files.count == 2)
            let reasons = try await f.database.withConnection { db in
                try await db.raw("SELECT reason FROM list_post WHERE outcome = 'discarded'").all().map {
                    try $0.decode(column: "reason", as: String.self)
                }
            }
            #expect(reasons == ["not decided within 3 days"])
        }
    }

    @Test(
        "limits are bounded: a huge hold-days (which would overflow the expiry) is refused", arguments: [Database.Dialect.sqlite])
    func limits(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            for change in [
                { (l: inout MailingList) in l.holdDays = 200_000_000_000_000 }, { $0.maxSize = Int64.max },
                { $0.bounceWarnings = Int.max }, { $0.maxRecipients = -1 },
            ] as [@Sendable (inout MailingList) -> Void] {
                await #expect(throws: ListError.self) { try await f.lists.update("dept@example.org", change) }
            }
            try await f.lists.update("dept@example.org") { $0.holdDays = 36_500 }
            try await f.post(Self.post)
            try await f.drain()
            #expect(try await f.transport.expireHeld(now: UnixTime.now()) == 0)
        }
    }

    @Test("a list holds at most maxHeld posts; later ones wait in the queue", arguments: [Database.Dialect.sqlite])
    func cap(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect, maxHeld: 2) { f in
            try await f.lists.create("dept@example.org")
            // One at a time: the runner works on several messages at once, and the cap is checked
            // as each post is held (a burst may pass it by the posts in flight).
            for n in 0..<4 {
                try await f.post(Self.post.replacingOccurrences(of: "Plans", with: "Post \(n)"))
                try await f.drain()
            }
            #expect(try await f.transport.held().count == 2)
            // Nothing lost: the two others are still queued for the list, tried again later.
            #expect(try await f.queued().map(\.targets) == [["dept@example.org"], ["dept@example.org"]])
            let recorded = try await f.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM list_post").first(decodingColumn: "n", as: Int64.self)
            }
            #expect(recorded == 2)
        }
    }
}
