import Core
import Directory
import SQLKit

/// A domain as the consoles list it.
public struct DomainSummary: Sendable, Hashable, Codable {
    public var name: String
    public var accounts: Int
    public var aliases: Int
    public var createdAt: Int64
}

extension AdminConsole {
    /// The domains the principal acts in, with their account and alias counts.
    public func domains(as principal: Principal) async throws -> [DomainSummary] {
        guard principal.may(.viewAccounts) || principal.may(.manageDomains) else {
            throw AccessDenied(.viewAccounts, domain: nil)
        }
        let scope = principal.domainScope
        return try await database.withConnection { db in
            try await db.raw(
                """
                SELECT d.name, d.created_at,
                  (SELECT COUNT(*) FROM account a WHERE a.domain_id = d.id) AS accounts,
                  (SELECT COUNT(DISTINCT l.source_key) FROM alias l WHERE l.domain_id = d.id) AS aliases
                FROM domain d ORDER BY d.name
                """
            ).all().compactMap { row -> DomainSummary? in
                let name = try row.decode(column: "name", as: String.self)
                guard scope?.contains(name) ?? true else { return nil }
                return DomainSummary(
                    name: name, accounts: Int(try row.decode(column: "accounts", as: Int64.self)),
                    aliases: Int(try row.decode(column: "aliases", as: Int64.self)),
                    createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    /// Adds a local domain (superadmin).
    public func addDomain(as principal: Principal, name: String) async throws -> DomainSummary {
        try principal.requireSiteWide(.manageDomains)
        let domain = try await Self.translate { try await directory.addDomain(name) }
        let summary = DomainSummary(name: domain.name, accounts: 0, aliases: 0, createdAt: domain.createdAt)
        await audit(principal, "domain.add", target: domain.name, after: summary)
        return summary
    }

    /// Deletes a domain without accounts or aliases (superadmin), and in the same transaction
    /// the administrators' grants on it (a domain added again later gives them nothing).
    public func deleteDomain(as principal: Principal, name: String) async throws {
        try principal.requireSiteWide(.manageDomains)
        let domain = name.lowercased()
        let before = try await domains(as: principal).first { $0.name == domain }
        try await Self.translate {
            try await database.transaction { db in
                guard
                    let id = try await db.select().column("id").from("domain").where("name", .equal, domain)
                        .first(decodingColumn: "id", as: Int64.self)
                else { throw DirectoryError.unknownDomain(domain) }
                func count(_ table: String) async throws -> Int64 {
                    try await db.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE domain_id = \(bind: id)").first()?
                        .decode(column: "n", as: Int64.self) ?? 0
                }
                let accounts = try await count("account")
                let aliases = try await count("alias")
                guard accounts == 0, aliases == 0 else {
                    throw DirectoryError.domainNotEmpty(domain, accounts: Int(accounts), aliases: Int(aliases))
                }
                try await db.delete(from: "domain").where("id", .equal, id).run()
                try await db.delete(from: "admin_domain").where("domain", .equal, domain).run()
            }
        }
        await audit(principal, "domain.delete", target: name.lowercased(), before: before)
    }
}
