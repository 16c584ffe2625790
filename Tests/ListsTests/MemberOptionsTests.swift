import Core
import Foundation
import MIME
import PostaTestSupport
import SQLKit
import Testing

@testable import Lists

@Suite("A member's own options, by its secret token: delivery on or off, digest")
struct MemberOptionsTests {
    /// A list with one member; the member's token.
    static func member(_ f: ListFixture, _ address: String = "bob@example.net") async throws -> String {
        var settings = ListSettings()
        settings.displayName = "Dept"
        settings.description = "Dept news"
        try await f.lists.create("dept@example.org", settings: settings)
        return try await f.lists.addMember("dept@example.org", address: address).token
    }

    static func setBounces(_ f: ListFixture, score: Int64, warnings: Int64) async throws {
        try await f.database.withConnection { db in
            try await db.raw("UPDATE list_member SET bounce_score = \(bind: score), bounce_warnings = \(bind: warnings)").run()
        }
    }

    @Test("the token names the member and its list; GET-side reading changes nothing", arguments: TestDatabases.dialects)
    func lookUp(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let token = try await Self.member(f)
            let options = try #require(try await f.lists.memberOptions(token: token))
            #expect(options.list.address == "dept@example.org" && options.list.displayName == "Dept")
            #expect(options.address == "bob@example.net")
            #expect(options.disabled == nil && options.mode == .regular && options.mayTurnOn)
            // Owners and moderators have tokens too, but no options page.
            let owner = try await f.lists.addMember("dept@example.org", address: "boss@example.org", role: .owner)
            #expect(try await f.lists.memberOptions(token: owner.token) == nil)
        }
    }

    @Test("an unknown, empty or overlong token names nobody and changes nothing", arguments: TestDatabases.dialects)
    func unknownToken(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let token = try await Self.member(f)
            for bad in ["", "nobody-has-this-token", String(repeating: "a", count: 65), token.uppercased()] {
                #expect(try await f.lists.memberOptions(token: bad) == nil)
                #expect(try await f.lists.changeMemberOptions(token: bad, .init(delivery: false, mode: .plainDigest)) == nil)
            }
            let member = try await f.lists.member("dept@example.org", address: "bob@example.net")
            #expect(member.disabled == nil && member.mode == .regular)
            // Gone with the member: the old token names nobody.
            try await f.lists.removeMember("dept@example.org", address: "bob@example.net")
            #expect(try await f.lists.memberOptions(token: token) == nil)
        }
    }

    @Test("each change: mode, delivery off, delivery on again", arguments: TestDatabases.dialects)
    func changes(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let token = try await Self.member(f)
            for mode in [DeliveryMode.mimeDigest, .plainDigest, .regular] {
                let (options, delivery) = try #require(try await f.lists.changeMemberOptions(token: token, .init(mode: mode)))
                #expect(options.mode == mode && delivery == .unchanged)
                #expect(try await f.lists.member("dept@example.org", address: "bob@example.net").mode == mode)
            }
            var result = try #require(try await f.lists.changeMemberOptions(token: token, .init(delivery: false)))
            #expect(result.delivery == .turnedOff && result.options.disabled == .user && result.options.mode == .regular)
            #expect(try await f.lists.member("dept@example.org", address: "bob@example.net").disabled == .user)
            // Off again: nothing to do.
            result = try #require(try await f.lists.changeMemberOptions(token: token, .init(delivery: false)))
            #expect(result.delivery == .unchanged && result.options.disabled == .user)
            result = try #require(
                try await f.lists.changeMemberOptions(token: token, .init(delivery: true, mode: .mimeDigest)))
            #expect(result.delivery == .turnedOn && result.options.disabled == nil && result.options.mode == .mimeDigest)
            let member = try await f.lists.member("dept@example.org", address: "bob@example.net")
            #expect(member.disabled == nil && member.mode == .mimeDigest)
            // Nothing asked: nothing changes.
            result = try #require(try await f.lists.changeMemberOptions(token: token, .init()))
            #expect(result.delivery == .unchanged && result.options.disabled == nil && result.options.mode == .mimeDigest)
        }
    }

    @Test("a moderator's stop stays: the member cannot turn it on, nor turn it into its own", arguments: TestDatabases.dialects)
    func moderatorStopStays(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let token = try await Self.member(f)
            try await f.lists.setMember(
                "dept@example.org", address: "bob@example.net", disabled: .some(.moderator), moderation: nil)
            let options = try #require(try await f.lists.memberOptions(token: token))
            #expect(options.disabled == .moderator && !options.mayTurnOn)
            let result = try #require(
                try await f.lists.changeMemberOptions(token: token, .init(delivery: true, mode: .plainDigest)))
            // The mode is the member's to choose; delivery is not.
            #expect(result.delivery == .refused && result.options.disabled == .moderator && result.options.mode == .plainDigest)
            let off = try #require(try await f.lists.changeMemberOptions(token: token, .init(delivery: false)))
            #expect(off.delivery == .unchanged && off.options.disabled == .moderator)
            #expect(try await f.lists.member("dept@example.org", address: "bob@example.net").disabled == .moderator)
        }
    }

    @Test(
        "a stop for bounces: turning delivery on clears the score and warnings, as the warning's link does",
        arguments: TestDatabases.dialects)
    func bounceStop(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let token = try await Self.member(f, "dave@example.org")
            let dave = try await f.account("dave@example.org")
            try await f.lists.setMember(
                "dept@example.org", address: "dave@example.org", disabled: .some(.bounces), moderation: nil)
            try await Self.setBounces(f, score: 5, warnings: 0)
            // The warning names the options page too (a way back beside its own link).
            #expect(try await f.transport.processBounceWarnings(now: UnixTime.now()) == (1, 0))
            try await f.drain()
            let warning = try #require(try await f.inbox(dave).last)
            #expect(PostFacts.firstText(MIMEMessage(warning)).contains("https://mail.example.org/lists/options/\(token)"))
            var member = try await f.lists.member("dept@example.org", address: "dave@example.org")
            #expect(member.bounceScore == 5 && member.bounceWarnings == 1)
            #expect(try #require(try await f.lists.memberOptions(token: token)).mayTurnOn)

            // Turning it off again keeps the list's reason (warnings go on).
            var result = try #require(try await f.lists.changeMemberOptions(token: token, .init(delivery: false)))
            #expect(result.delivery == .unchanged && result.options.disabled == .bounces)
            result = try #require(try await f.lists.changeMemberOptions(token: token, .init(delivery: true)))
            #expect(result.delivery == .reenabled && result.options.disabled == nil)
            member = try await f.lists.member("dept@example.org", address: "dave@example.org")
            #expect(member.disabled == nil && member.bounceScore == 0 && member.bounceWarnings == 0)
            // The warning's link now finds nothing to do: one code path, one outcome.
            let cookie = try SubscriptionTests.cookie(in: try await f.inbox(dave))
            #expect(
                try await f.lists.confirm(cookie: cookie) == .unchanged(list: result.options.list, address: "dave@example.org"))
        }
    }

    @Test("the welcome notice links to the member's own options page", arguments: [Database.Dialect.sqlite])
    func welcomeLinks(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let newbie = try await f.account("newbie@example.org")
            var settings = ListSettings()
            settings.subscribePolicy = .open
            try await f.lists.create("dept@example.org", settings: settings)
            try await f.post(
                SubscriptionTests.mail(from: "newbie@example.org", to: "dept-join@example.org", subject: "hi"),
                to: "dept-join@example.org", from: "newbie@example.org")
            try await f.drain()
            let welcome = MIMEMessage(try #require(try await f.inbox(newbie).last))
            #expect(welcome.header["Subject"] == "Welcome to dept@example.org")
            let token = try await f.lists.member("dept@example.org", address: "newbie@example.org").token
            #expect(PostFacts.firstText(welcome).contains("https://mail.example.org/lists/options/\(token)"))
        }
    }
}
