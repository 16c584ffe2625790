import Core
import Foundation
import SQLKit

/// The cached MTA-STS policies of recipient domains (`MTASTSSchema`), shared by every node.
public struct MTASTSPolicyStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// The cached policy of `domain`, expired or not; nil when none was ever fetched (or its row
    /// no longer decodes).
    public func policy(for domain: String) async throws -> MTASTSCachedPolicy? {
        let name = domain.lowercased()
        let row = try await database.withConnection { db in
            try await db.raw(
                "SELECT policy_id, policy, fetched_at FROM mta_sts_policy WHERE domain = \(bind: name)"
            ).first().map {
                (
                    try $0.decode(column: "policy_id", as: String.self), try $0.decode(column: "policy", as: String.self),
                    try $0.decode(column: "fetched_at", as: Int64.self)
                )
            }
        }
        guard let (id, json, fetchedAt) = row,
            let policy = try? JSONDecoder().decode(MTASTSPolicy.self, from: Data(json.utf8))
        else { return nil }
        return MTASTSCachedPolicy(domain: name, id: id, policy: policy, fetchedAt: fetchedAt)
    }

    /// Stores `cached` as the domain's policy, replacing the previous one.
    public func save(_ cached: MTASTSCachedPolicy) async throws {
        let json = String(decoding: try JSONEncoder().encode(cached.policy), as: UTF8.self)
        let domain = cached.domain.lowercased()
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO mta_sts_policy (domain, policy_id, policy, fetched_at, expires_at)
                VALUES (\(bind: domain), \(bind: cached.id), \(bind: json), \(bind: cached.fetchedAt), \(bind: cached.expiresAt))
                ON CONFLICT (domain) DO UPDATE SET policy_id = excluded.policy_id, policy = excluded.policy,
                  fetched_at = excluded.fetched_at, expires_at = excluded.expires_at
                """
            ).run()
        }
    }

    /// Every cached policy, by domain (for `posta mta-sts` listings and tests).
    public func all() async throws -> [MTASTSCachedPolicy] {
        let rows = try await database.withConnection { db in
            try await db.raw("SELECT domain, policy_id, policy, fetched_at FROM mta_sts_policy ORDER BY domain").all().map {
                (
                    try $0.decode(column: "domain", as: String.self), try $0.decode(column: "policy_id", as: String.self),
                    try $0.decode(column: "policy", as: String.self), try $0.decode(column: "fetched_at", as: Int64.self)
                )
            }
        }
        return rows.compactMap { domain, id, json, fetchedAt in
            (try? JSONDecoder().decode(MTASTSPolicy.self, from: Data(json.utf8))).map {
                MTASTSCachedPolicy(domain: domain, id: id, policy: $0, fetchedAt: fetchedAt)
            }
        }
    }
}
