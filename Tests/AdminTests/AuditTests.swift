import Admin
import Core
import Foundation
import PostaTestSupport
import Testing

@Suite("Audit log")
struct AuditTests {
    static func object(_ json: String?) throws -> [String: Any] {
        let text = try #require(json)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("every change writes one row with who, what, before and after; never a hash", arguments: TestDatabases.dialects)
    func rows(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            _ = try await c.createAccount(
                as: f.helpdesk, address: "dan@example.org", password: "long-enough-1", displayName: "Dan", quotaBytes: 1000)
            try await c.setQuota(as: f.helpdesk, address: "dan@example.org", bytes: 2000)
            try await c.setPassword(as: f.helpdesk, address: "dan@example.org", password: "other-password-2")
            let page = try await c.auditLog(as: f.superadmin, AuditFilter(target: "dan@example.org"))
            #expect(page.items.map(\.action) == ["account.password", "account.quota", "account.create"])
            #expect(page.items.allSatisfy { $0.actor == "admin:hal" && $0.channel == .web && $0.clientIP == "192.0.2.9" })
            let created = page.items[2]
            #expect(created.before == nil)
            let after = try Self.object(created.after)
            #expect(after["address"] as? String == "dan@example.org")
            #expect(after["quotaBytes"] as? Int == 1000)
            let quota = page.items[1]
            #expect(try Self.object(quota.before)["quota_bytes"] as? Int == 1000)
            #expect(try Self.object(quota.after)["quota_bytes"] as? Int == 2000)
            // No hash or password anywhere in the log.
            let all = try await c.auditLog(as: f.superadmin, AuditFilter(limit: 500)).items
            for entry in all {
                for text in [entry.before, entry.after].compactMap({ $0 }) {
                    #expect(!text.contains("PLAIN") && !text.contains("$y$") && !text.lowercased().contains("password"))
                }
            }
            // The CLI's changes are audited as cli:<user>.
            #expect(all.contains { $0.actor == "cli:root" && $0.action == "domain.add" && $0.target == "example.org" })
        }
    }

    @Test("filters and cursor paging, newest first", arguments: TestDatabases.dialects)
    func paging(dialect: Database.Dialect) async throws {
        try await AdminFixture.with(dialect) { f in
            let c = f.console
            for bytes in 1...7 {
                try await c.setQuota(as: f.superadmin, address: "bob@example.org", bytes: Int64(bytes) << 20)
            }
            var seen: [Int64] = []
            var cursor: String?
            repeat {
                let page = try await c.auditLog(
                    as: f.superadmin, AuditFilter(actor: "admin:root", action: "account.quota", cursor: cursor, limit: 3))
                seen += page.items.map(\.id)
                cursor = page.next
            } while cursor != nil
            #expect(seen.count == 7)
            #expect(seen == seen.sorted(by: >))
            await #expect(throws: AdminError.self) {
                try await c.auditLog(as: f.superadmin, AuditFilter(cursor: "!!not a cursor"))
            }
        }
    }
}
