import Core
import Foundation
import MIME
import PostaTestSupport
import SQLKit
import Testing

@testable import Lists

@Suite("Bans and header match rules: pipeline steps 2 and 3")
struct ListRulesTests {
    typealias P = PostingPipelineTests

    static func rules(bans: [String] = [], headers: [(String, String, ModerationAction)] = []) -> ListRules {
        ListRules(
            bans: bans.enumerated().map { ListBan(id: Int64($0.offset + 1), pattern: $0.element) },
            headerRules: headers.enumerated().map {
                HeaderRule(id: Int64($0.offset + 1), field: $0.element.0, pattern: $0.element.1, action: $0.element.2)
            })
    }

    @Test("a banned author or envelope sender is discarded, before emergency moderation and before moderators")
    func banned() {
        let facts = P.facts(P.post)
        let list = P.list { $0.emergency = true }
        for pattern in ["alice@example.net", "ALICE@Example.NET", "*@example.net", "a?ice@*.net"] {
            let decision = PostingPipeline.decide(
                facts, list: list, poster: PosterStanding(member: nil, isModerator: true), rules: Self.rules(bans: [pattern]))
            #expect(decision.action == .discard && decision.rule == "banned", "\(pattern)")
        }
        // The envelope sender counts too (facts' reverse path is alice@example.net).
        let other = P.facts(P.post.replacingOccurrences(of: "alice@example.net", with: "carol@example.com"))
        #expect(
            PostingPipeline.decide(other, list: P.list(), poster: P.member, rules: Self.rules(bans: ["alice@example.net"])).rule
                == "banned")
        // Not a substring match: the whole address must match.
        for pattern in ["lice@example.net", "alice@example", "*@example.netx"] {
            #expect(
                PostingPipeline.decide(facts, list: P.list(), poster: P.member, rules: Self.rules(bans: [pattern])).action
                    == .accept)
        }
    }

    @Test("header rules: the first that matches decides, on the decoded value, without regard to case")
    func headerRules() {
        let spam = P.facts(
            P.post.replacingOccurrences(of: "Subject: Hello", with: "Subject: =?utf-8?q?Cheap_V=C3=AFagra?=\r\nX-Spam-Flag: YES"))
        let rules = Self.rules(headers: [("x-spam-flag", "yes", .discard), ("Subject", "vïagra", .hold)])
        let decision = PostingPipeline.decide(spam, list: P.list(), poster: P.member, rules: rules)
        #expect(decision.action == .discard && decision.rule == "header-match")
        #expect(decision.reason.contains("rule 1"))
        let held = PostingPipeline.decide(
            spam, list: P.list(), poster: P.member, rules: Self.rules(headers: [("Subject", "VÏAGRA", .hold)]))
        #expect(held.action == .hold && held.rule == "header-match")
        // An accept rule lets a stranger's post past the non-member hold (Mailman's accept action).
        let accepted = PostingPipeline.decide(
            P.facts(P.post), list: P.list(), poster: P.stranger, rules: Self.rules(headers: [("From", "@example.net>", .accept)])
        )
        #expect(accepted.action == .accept && accepted.rule == "header-match")
        // No match: the rest of the pipeline decides.
        #expect(
            PostingPipeline.decide(P.facts(P.post), list: P.list(), poster: P.stranger, rules: rules).rule == "nonmember")
    }

    @Test("wildcards: * and ? and \\ escapes, the whole text, case-insensitive, in bounded time")
    func patterns() throws {
        func match(_ pattern: String, _ text: String) -> Bool { (try? WildcardPattern(pattern))?.matches(text) ?? false }
        #expect(match("*@junk.example", "x@JUNK.example") && !(match("*@junk.example", "x@junk.example.org")))
        #expect(match("spam?@example.net", "spam1@example.net") && !(match("spam?@example.net", "spam@example.net")))
        #expect(match("a*b*c", "aXXbYYc") && match("a*b*c", "abc") && !(match("a*b*c", "acb")))
        #expect(match("\\*", "*") && !(match("\\*", "x")) && match("100\\%", "100%"))
        #expect(match("**", "") && match("*", "anything") && !(match("?", "")))
        for bad in ["", String(repeating: "a", count: 1001)] {
            #expect(throws: ListError.self) { _ = try WildcardPattern(bad) }
        }
        #expect(throws: ListError.self) { try HeaderRule.validate(field: "Sub ject", pattern: "x", action: .hold) }
        #expect(throws: ListError.self) { try HeaderRule.validate(field: "Subject", pattern: "x", action: .defer) }
        #expect(throws: ListError.self) { try HeaderRule.validate(field: "Subject:", pattern: "x", action: .hold) }
        for ban in ["not an address", "x", "a@b@c"] { #expect(throws: ListError.self, "\(ban)") { try ListBan.validate(ban) } }
        // The worst case for the two-cursor match: many stars, a text that almost matches
        // everywhere. Quadratic at most: this finishes at once (a backtracking regex would not).
        let hostile = String(repeating: "a", count: PostField.maxValue)
        #expect(!(match(String(repeating: "*a", count: 400) + "*b", hostile)))
        // A match past the bound is not seen: hostile headers cost a bounded amount.
        let needle = try WildcardPattern("*needle*")
        #expect(needle.matches(String(repeating: "x", count: 100) + "needle"))
        #expect(!needle.matches(String(repeating: "x", count: PostField.maxValue) + "needle"))
        #expect(PostField(name: "Subject", value: String(repeating: "y", count: 20_000)).value.count == PostField.maxValue)
    }

    @Test("bans and rules are stored per list; a banned address cannot join or be added", arguments: TestDatabases.dialects)
    func storage(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            try await f.lists.create("dept@example.org")
            try await f.lists.create("other@example.org")
            try await f.lists.addBan("dept@example.org", pattern: "spam@example.net")
            try await f.lists.addBan("dept@example.org", pattern: "*@junk.example")
            // Adding the same ban twice keeps one.
            try await f.lists.addBan("dept@example.org", pattern: "spam@example.net")
            await #expect(throws: ListError.self) { try await f.lists.addBan("dept@example.org", pattern: "junk.example") }
            let rule = try await f.lists.addHeaderRule("dept@example.org", field: "Subject", pattern: "casino", action: .reject)
            var rules = try await f.lists.rules("dept@example.org")
            #expect(rules.bans.map(\.pattern) == ["spam@example.net", "*@junk.example"])
            #expect(rules.headerRules == [rule])
            #expect(try await f.lists.rules("other@example.org").bans.isEmpty)

            await #expect(throws: ListError.self) { try await f.lists.addMember("dept@example.org", address: "x@junk.example") }
            try await f.lists.addMember("other@example.org", address: "x@junk.example")
            #expect(
                try await f.lists.requestSubscription("dept@example.org", address: "spam@example.net", source: .web) == .banned)
            #expect(try await f.lists.invite("dept@example.org", address: "SPAM@example.net") == .banned)
            // Owners may still be named; a ban is about membership and posts.
            try await f.lists.addMember("dept@example.org", address: "spam@example.net", role: .owner)

            try await f.lists.removeBan("dept@example.org", pattern: "spam@example.net")
            await #expect(throws: ListError.self) { try await f.lists.removeBan("dept@example.org", pattern: "spam@example.net") }
            try await f.lists.removeHeaderRule("dept@example.org", id: rule.id)
            await #expect(throws: ListError.self) { try await f.lists.removeHeaderRule("other@example.org", id: rule.id) }
            rules = try await f.lists.rules("dept@example.org")
            #expect(rules.bans.map(\.pattern) == ["*@junk.example"] && rules.headerRules.isEmpty)
            try await f.lists.delete("dept@example.org")
            let left = try await f.database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM list_ban").first(decodingColumn: "n", as: Int64.self)
            }
            #expect(left == 0)
        }
    }

    @Test("a banned poster's post is dropped, a matching rule holds, through the queue", arguments: TestDatabases.dialects)
    func throughTheQueue(dialect: Database.Dialect) async throws {
        try await ListFixture.with(dialect) { f in
            let bob = try await f.account("bob@example.org")
            try await f.lists.create("dept@example.org")
            try await f.lists.addMember("dept@example.org", address: "bob@example.org")
            try await f.lists.addMember("dept@example.org", address: "alice@example.net")
            try await f.lists.addHeaderRule("dept@example.org", field: "Subject", pattern: "[ad]", action: .hold)
            try await f.post(ListTransportTests.post.replacingOccurrences(of: "Plans", with: "[AD] buy"))
            try await f.drain()
            #expect(try await f.transport.held().map(\.reason) == ["the Subject field matches the list's header rule 1"])
            try await f.lists.addBan("dept@example.org", pattern: "alice@example.net")
            try await f.post(ListTransportTests.post)
            try await f.drain()
            #expect(try await f.inbox(bob).isEmpty)
            let outcomes = try await f.database.withConnection { db in
                try await db.raw("SELECT outcome, reason FROM list_post ORDER BY created_at, outcome").all().map {
                    "\(try $0.decode(column: "outcome", as: String.self)): \(try $0.decode(column: "reason", as: String.self))"
                }
            }
            #expect(outcomes.contains("discarded: the sender is banned (alice@example.net)"))
        }
    }
}
