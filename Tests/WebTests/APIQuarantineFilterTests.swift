import Admin
import Filter
import Foundation
import HummingbirdTesting
import Testing

/// `/api/v1/quarantine` and `/api/v1/filters`: the same operations and checks as the console,
/// cursors, problem details.
@Suite struct APIQuarantineFilterTests {
    static func tokens(_ console: AdminConsole) async throws -> (root: String, desk: String) {
        let cli = FilteringFixture.cli
        _ = try await console.addAdministrator(
            as: cli, login: "boss", password: "boss-password-1", role: .superadmin, domains: [], displayName: "Boss")
        _ = try await console.addAdministrator(
            as: cli, login: "desk", password: "desk-password-1", role: .helpdesk, domains: [], displayName: "Desk")
        _ = try await console.addAdministrator(
            as: cli, login: "dora", password: "dora-password-1", role: .domainAdmin, domains: ["example.org"],
            displayName: "Dora")
        return (
            try await console.addToken(as: cli, admin: "boss", name: "t").token,
            try await console.addToken(as: cli, admin: "desk", name: "t").token
        )
    }

    @Test func quarantineOverTheAPI() async throws {
        try await FilteringFixture.with { console, client in
            let (root, desk) = try await Self.tokens(console)
            let dora = try await console.addToken(as: FilteringFixture.cli, admin: "dora", name: "t").token
            var held: [String] = []
            for n in 0..<3 {
                held.append(try await FilteringFixture.hold(console, to: "alice@example.org", subject: "s\(n)"))
            }
            let carols = try await FilteringFixture.hold(console, to: "carol@other.org", subject: "c")

            let denied = try await client.api(.get, "/quarantine", token: desk)
            #expect(denied.status == .forbidden && denied.isProblem)
            #expect(try await client.api(.post, "/quarantine/\(held[0])/release", token: desk).status == .forbidden)

            var seen: [String] = []
            var path = "/quarantine?limit=2"
            while true {
                let page = try await client.api(.get, path, token: root)
                #expect(page.status == .ok)
                seen += page.items.compactMap { $0["id"] as? String }
                guard let next = page.json["next"] as? String else { break }
                path = "/quarantine?limit=2&cursor=" + next
            }
            #expect(seen.count == 4 && Set(seen) == Set(held + [carols]))
            let domainList = try await client.api(.get, "/quarantine", token: dora)
            #expect(Set(domainList.items.compactMap { $0["id"] as? String }) == Set(held))
            #expect(Set(domainList.items.compactMap { $0["subject"] as? String }) == ["s0", "s1", "s2"])
            #expect(try await client.api(.get, "/quarantine/\(carols)", token: dora).status == .notFound)
            let bad = try await client.api(.get, "/quarantine?cursor=%21%21", token: root)
            #expect(bad.isProblem && bad.status.code >= 400 && bad.status.code < 500)

            let shown = try await client.api(.get, "/quarantine/\(held[0])", token: root)
            #expect(shown.status == .ok)
            let headers = shown.json["headers"] as? [[String: String]] ?? []
            #expect(headers.contains(["name": "Subject", "value": "s0"]))
            #expect((shown.json["entry"] as? [String: Any])?["reason"] as? String == "spam: score 1000.0 (spamassassin)")
            #expect((shown.json["verdict_headers"] as? [[String: String]])?.first?["name"] == "X-Spam-Status")

            let released = try await client.api(.post, "/quarantine/\(held[0])/release", token: dora)
            #expect(released.status == .ok)
            let queueID = try #require(released.json["queue_id"] as? String)
            #expect(try await console.queue.entry(queueID) != nil)
            #expect(try await client.api(.post, "/quarantine/\(held[0])/release", token: root).status == .notFound)
            #expect(try await client.api(.delete, "/quarantine/\(held[1])", token: root).status == .noContent)
            let gone = try await client.api(.delete, "/quarantine/\(held[1])", token: root)
            #expect(gone.status == .notFound && gone.isProblem)
        }
    }

    @Test func filterSettingsOverTheAPI() async throws {
        try await FilteringFixture.with { console, client in
            let (root, desk) = try await Self.tokens(console)
            #expect(try await client.api(.get, "/filters", token: desk).status == .forbidden)
            let put = try await client.api(
                .put, "/filters/@example.org", token: root, json: ["junk_threshold": 7, "reject_threshold": 20])
            #expect(put.status == .ok)
            #expect((put.json["effective"] as? [String: Any])?["junk"] as? Bool == true)
            let alice = try await client.api(.put, "/filters/alice@example.org", token: root, json: ["junk": false])
            #expect((alice.json["inherited"] as? [String: Any])?["junk_threshold"] as? Double == 7)
            #expect((alice.json["own"] as? [String: Any])?.keys.sorted() == ["junk"])
            let invalid = try await client.api(
                .put, "/filters/@example.org", token: root, json: ["junk_threshold": 9, "reject_threshold": 3])
            #expect(invalid.isProblem && invalid.status.code >= 400 && invalid.status.code < 500)
            #expect(try await client.api(.put, "/filters/nobody@example.org", token: root, json: [:]).status == .notFound)
            #expect(try await client.api(.put, "/filters/@example.org", token: desk, json: [:]).status == .forbidden)
            let listed = try await client.api(.get, "/filters", token: root)
            #expect(listed.items.compactMap { $0["scope"] as? String } == ["@example.org", "alice@example.org"])
            #expect(try await client.api(.get, "/filters/alice@example.org", token: root).status == .ok)
            #expect(try await client.api(.delete, "/filters/alice@example.org", token: root).status == .noContent)
            #expect(try await client.api(.delete, "/filters/alice@example.org", token: root).status == .notFound)
            #expect(
                try await SpamSettingsStore(database: console.database).preferences(for: ["alice@example.org"])
                    == [SpamPreferences(junkThreshold: 7, rejectThreshold: 20)])
        }
    }
}
