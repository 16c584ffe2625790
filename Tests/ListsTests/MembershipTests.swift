import Core
import Directory
import Foundation
import MIME
import PostaTestSupport
import Queue
import SQLKit
import Testing

@testable import Lists

@Suite("Members from the directory, and bounce warnings before removal")
struct MembershipTests {
    @Test("a domain's accounts are members, in sync; hand-added members stay", arguments: TestDatabases.dialects)
    func domainMembers(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            for user in ["ann", "ben"] { _ = try await f.account("\(user)@example.org") }
            var settings = ListSettings()
            settings.memberSource = .domain("example.org")
            try await f.lists.create("all@example.org", settings: settings)
            try await f.lists.addMember("all@example.org", address: "friend@example.net")
            let first = try await f.lists.syncMembers("all@example.org", directory: f.directory)
            #expect(first.added.sorted() == ["ann@example.org", "ben@example.org"] && first.removed.isEmpty)
            #expect(try await f.lists.syncMembers("all@example.org", directory: f.directory) == ([], []))
            // A new account posts and gets the post: synced as the post comes in.
            let cat = try await f.account("cat@example.org")
            try await f.directory.deleteAccount("ben@example.org")
            try await f.post(
                "From: cat@example.org\r\nTo: all@example.org\r\nSubject: Hello all\r\n\r\nhi\r\n", to: "all@example.org",
                from: "cat@example.org")
            try await f.drain()
            #expect(try await f.inbox(cat).count == 1)
            let members = try await f.lists.members("all@example.org", role: .member)
            #expect(members.map(\.address) == ["ann@example.org", "cat@example.org", "friend@example.net"])
            #expect(members.map(\.source) == ["directory", "directory", "manual"])
        }
    }

    @Test("an alias group's targets are members", arguments: [Database.Dialect.sqlite])
    func aliasMembers(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.directory.addAlias("staff@example.org", targets: ["ann@example.org", "x@example.net"])
            var settings = ListSettings()
            settings.memberSource = .alias("staff@example.org")
            try await f.lists.create("staff-list@example.org", settings: settings)
            try await f.lists.syncMembers("staff-list@example.org", directory: f.directory)
            #expect(try await f.lists.members("staff-list@example.org").map(\.address) == ["ann@example.org", "x@example.net"])
            try await f.directory.deleteAlias("staff@example.org", targets: ["x@example.net"])
            let changed = try await f.lists.syncMembers("staff-list@example.org", directory: f.directory)
            #expect(changed.removed == ["x@example.net"])
            #expect(MemberSource("alias:Staff@Example.org") == .alias("staff@example.org"))
            #expect(MemberSource("group:x") == nil)
        }
    }

    @Test(
        "a disabled member is warned a week apart, can turn delivery back on, and is removed after the last warning",
        arguments: TestDatabases.dialects)
    func bounceWarnings(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let owner = try await f.account("owner@example.org")
            let dave = try await f.account("dave@example.org")
            var settings = ListSettings()
            settings.bounceWarnings = 2
            try await f.lists.create("dept@example.org", settings: settings)
            try await f.lists.addMember("dept@example.org", address: "owner@example.org", role: .owner)
            try await f.lists.addMember("dept@example.org", address: "dave@example.org")
            try await f.lists.setMember(
                "dept@example.org", address: "dave@example.org", disabled: .some(.bounces), moderation: nil)
            let now = UnixTime.now()
            #expect(try await f.transport.processBounceWarnings(now: now) == (1, 0))
            // Not again within the week.
            #expect(try await f.transport.processBounceWarnings(now: now + 86_400) == (0, 0))
            try await f.drain()
            let warning = try await f.inbox(dave)
            #expect(warning.count == 1)
            #expect(
                MIMEMessage(warning[0]).header["Subject"]?.hasPrefix("Your membership of dept@example.org is suspended") == true)
            // The warning's link turns delivery back on.
            let cookie = try SubscriptionTests.cookie(in: warning)
            #expect(try await f.transport.confirm(cookie: cookie, accept: true).contains("again"))
            var member = try await f.lists.member("dept@example.org", address: "dave@example.org")
            #expect(member.disabled == nil && member.bounceWarnings == 0 && member.bounceScore == 0)

            // Disabled again and never answering: warning 1, warning 2, then removal and the owners told.
            try await f.lists.setMember(
                "dept@example.org", address: "dave@example.org", disabled: .some(.bounces), moderation: nil)
            #expect(try await f.transport.processBounceWarnings(now: now) == (1, 0))
            #expect(try await f.transport.processBounceWarnings(now: now + 8 * 86_400) == (1, 0))
            member = try await f.lists.member("dept@example.org", address: "dave@example.org")
            #expect(member.bounceWarnings == 2)
            #expect(try await f.transport.processBounceWarnings(now: now + 16 * 86_400) == (0, 1))
            #expect(try await f.lists.members("dept@example.org", role: .member).isEmpty)
            try await f.drain()
            let told = try await f.inbox(owner).map { MIMEMessage($0).header["Subject"] ?? "" }
            #expect(told.contains("dept@example.org: dave@example.org removed (bouncing)"))
        }
    }
}
