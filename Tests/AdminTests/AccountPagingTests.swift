import Admin
import Core
import PostaTestSupport
import SQLKit
import Testing

@Suite("Account listing at scale")
struct AccountPagingTests {
    /// Inserts `count` accounts of `domain` directly, many rows per statement.
    static func bulk(_ db: Database, domain: String, count: Int) async throws {
        try await db.transaction { db in
            let id = try #require(
                try await db.select().column("id").from("domain").where("name", .equal, domain)
                    .first(decodingColumn: "id", as: Int64.self))
            for start in stride(from: 0, to: count, by: 500) {
                var rows: [SQLQueryString] = []
                for n in start..<min(start + 500, count) {
                    let digits = String(n)
                    let address = "user" + String(repeating: "0", count: 5 - digits.count) + digits + "@" + domain
                    let name = n % 1000 == 0 ? "Needle \(n)" : "User \(n)"
                    rows.append(
                        "(\(bind: id), \(bind: address), \(bind: address), \(bind: name), '{PLAIN}x', 0, \(bind: true), 0)")
                }
                try await db.raw(
                    """
                    INSERT INTO account (domain_id, address_key, address, display_name, password, quota_bytes, enabled, created_at)
                    VALUES \(rows.joined(separator: ", "))
                    """
                ).run()
            }
        }
    }

    @Test("10,500 accounts page by keyset, every one once, in bounded time", arguments: TestDatabases.dialects)
    func tenThousand(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            try await Self.bulk(f.db, domain: "example.org", count: 10_500)
            let clock = ContinuousClock()
            var addresses: [String] = []
            var cursor: String?
            var slowest = Duration.zero
            let total = try await clock.measure {
                repeat {
                    let start = clock.now
                    let page = try await f.console.accounts(
                        as: f.domainAdmin, AccountQuery(domain: "example.org", cursor: cursor, limit: 200))
                    slowest = max(slowest, clock.now - start)
                    addresses += page.items.map(\.address)
                    cursor = page.next
                } while cursor != nil
            }
            #expect(addresses.count == 10_502)  // alice and bob too
            #expect(Set(addresses).count == addresses.count)
            #expect(addresses == addresses.sorted())
            // Keyset paging: the last page costs what the first does; generous bounds for CI.
            #expect(slowest < .seconds(2))
            #expect(total < .seconds(60))
            // Search by display name, case-insensitive, and by address part; LIKE wildcards are text.
            let needles = try await f.console.accounts(as: f.superadmin, AccountQuery(search: "NEEDLE", limit: 500)).items
            #expect(needles.count == 11)
            #expect(
                try await f.console.accounts(as: f.superadmin, AccountQuery(search: "user0420")).items.map(\.address) == [
                    "user04200@example.org"
                ])
            #expect(try await f.console.accounts(as: f.superadmin, AccountQuery(search: "%")).items.isEmpty)
            #expect(try await f.console.accounts(as: f.superadmin, AccountQuery(search: "_")).items.isEmpty)
        }
    }
}
