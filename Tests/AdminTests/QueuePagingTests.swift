import Admin
import Core
import Directory
import PostaTestSupport
import Queue
import SQLKit
import Testing

/// The queue listing is paged and filtered by the database: pages follow one another without a
/// gap or a repeat, every filter holds on every page, LIKE's wildcards in a filter match only
/// themselves, and a domain admin's pages hold only messages whose every recipient is theirs.
@Suite("Queue listing: keyset pages and filters in SQL")
struct QueuePagingTests {
    /// Every page of `filter` as `principal`, `limit` at a time.
    static func all(_ c: AdminConsole, _ principal: Principal, _ filter: QueueFilter) async throws -> [QueueEntry] {
        var filter = filter
        var out: [QueueEntry] = []
        for _ in 0..<100 {
            let page = try await c.queueEntries(as: principal, filter)
            #expect(page.items.count <= filter.limit)
            out += page.items
            guard let next = page.next else { return out }
            filter.cursor = next
        }
        Issue.record("paging did not end")
        return out
    }

    @Test("pages, states, sender and recipient filters, domain scope", arguments: TestDatabases.dialects)
    func paging(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            var ids: [String] = []
            for n in 0..<23 {
                let to = n % 3 == 0 ? ["x\(n)@other.org"] : ["alice@example.org"]
                ids.append(
                    try await f.enqueue(
                        from: n % 2 == 0 ? "even_\(n)@sender.example" : "odd\(n)@sender.example", to: to,
                        held: n % 5 == 0, at: 1_000 + Int64(n / 4)))
            }
            // Message 1 was tried once: deferred.
            let tried = ids[1]
            try await c.database.withConnection { db in
                try await db.update("queue_recipient").set("attempts", to: SQLBind(1)).where("message_id", .equal, tried)
                    .run()
            }
            let everything = try await Self.all(c, f.superadmin, QueueFilter(limit: 4))
            #expect(everything.count == 23)
            #expect(Set(everything.map(\.id)) == Set(ids))
            #expect(everything.map(\.receivedAt) == everything.map(\.receivedAt).sorted())

            let held = try await Self.all(c, f.superadmin, QueueFilter(state: "held", limit: 2))
            #expect(Set(held.map(\.id)) == Set(stride(from: 0, to: 23, by: 5).map { ids[$0] }))
            #expect(try await Self.all(c, f.superadmin, QueueFilter(state: "deferred", limit: 2)).map(\.id) == [ids[1]])
            let active = try await Self.all(c, f.superadmin, QueueFilter(state: "active", limit: 3))
            #expect(active.count == 23 - held.count - 1)
            #expect(active.allSatisfy { AdminConsole.state(of: $0) == "active" })

            // "even_" has a LIKE wildcard: it matches only a literal underscore.
            let even = try await Self.all(c, f.superadmin, QueueFilter(sender: "EVEN_", limit: 3))
            #expect(even.count == 12)
            #expect(try await Self.all(c, f.superadmin, QueueFilter(sender: "%", limit: 3)).isEmpty)
            let toAlice = try await Self.all(c, f.superadmin, QueueFilter(recipient: "alice@", limit: 5))
            #expect(toAlice.count == 15)

            // The domain admin of example.org: only messages for alice, page after page.
            let scoped = try await Self.all(c, f.domainAdmin, QueueFilter(limit: 4))
            #expect(scoped.map(\.id) == toAlice.map(\.id))
            #expect(try await Self.all(c, f.domainAdmin, QueueFilter(recipient: "other.org", limit: 4)).isEmpty)

            await #expect(throws: AdminError.self) {
                try await c.queueEntries(as: f.superadmin, QueueFilter(cursor: "not a cursor!"))
            }
            await #expect(throws: AdminError.self) {
                try await c.queueEntries(as: f.superadmin, QueueFilter(state: "stuck"))
            }
        }
    }
}
