import Admin
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Cursor pagination: following `next` visits every account once, in order, and stops.
@Suite struct APIPaginationTests {
    @Test func cursorsVisitEveryAccountOnce() async throws {
        try await APIFixture.with { fixture, client in
            _ = try await client.api(.post, "/domains", token: fixture.superToken, json: ["name": "example.org"])
            let addresses = (1...7).map { "user\($0)@example.org" }
            for address in addresses {
                let created = try await client.api(
                    .post, "/accounts", token: fixture.superToken, json: ["address": address, "password": "pw-\(address)"])
                #expect(created.status == .created)
            }
            var seen: [String] = []
            var pages: [Int] = []
            var cursor: String?
            repeat {
                var path = "/accounts?limit=3"
                if let cursor {
                    path += "&cursor=" + cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                }
                let page = try await client.api(.get, path, token: fixture.superToken)
                #expect(page.status == .ok)
                pages.append(page.items.count)
                seen += page.items.compactMap { $0["address"] as? String }
                cursor = page.json["next"] as? String
            } while cursor != nil && pages.count < 10
            #expect(pages == [3, 3, 1])
            #expect(seen.sorted() == addresses.sorted())
            // A search narrows the listing.
            let search = try await client.api(.get, "/accounts?search=user7", token: fixture.superToken)
            #expect(search.items.compactMap { $0["address"] as? String } == ["user7@example.org"])
        }
    }

    @Test func auditLogPagesToo() async throws {
        try await APIFixture.with { fixture, client in
            for n in 1...5 {
                _ = try await client.api(.post, "/domains", token: fixture.superToken, json: ["name": "d\(n).example"])
            }
            let first = try await client.api(.get, "/audit?action=domain.add&limit=2", token: fixture.superToken)
            #expect(first.status == .ok)
            #expect(first.items.count == 2)
            let next = try #require(first.json["next"] as? String)
            let second = try await client.api(
                .get,
                "/audit?action=domain.add&limit=2&cursor="
                    + next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, token: fixture.superToken)
            #expect(second.items.count == 2)
            let ids = (first.items + second.items).compactMap { $0["id"] as? Int }
            #expect(Set(ids).count == 4)
            // API changes are audited as such.
            #expect(first.items.allSatisfy { $0["channel"] as? String == "api" && $0["actor"] as? String == "admin:boss" })
        }
    }
}
