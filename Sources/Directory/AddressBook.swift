import Core
import SQLKit

/// An entry of the site's address book: an enabled account or an alias.
public struct AddressBookEntry: Sendable, Hashable {
    public var name: String
    public var address: String

    public init(name: String, address: String) {
        self.name = name
        self.address = address
    }
}

extension Directory {
    /// Accounts and aliases of `domain` whose address or display name starts with `prefix`
    /// (case-insensitive), for address completion in webmail; at most `limit`, accounts first.
    /// Disabled accounts are left out. One domain only: a site may host several organisations,
    /// and one's users do not list another's.
    public func addressBook(matching prefix: String, domain: String, limit: Int = 10) async throws -> [AddressBookEntry] {
        let prefix = prefix.lowercased()
        guard prefix.count >= 2, prefix.utf8.count <= 100, !domain.isEmpty else { return [] }
        let pattern = SQLLike.escaped(prefix) + "%"
        let inDomain = SQLLike.ending(with: "@" + domain.lowercased())
        let limit = min(max(limit, 1), 50)
        return try await database.withConnection { db in
            let accounts = try await db.raw(
                """
                SELECT address, display_name FROM account
                WHERE enabled AND address_key LIKE \(bind: inDomain) \(unsafeRaw: SQLLike.escape)
                  AND (address_key LIKE \(bind: pattern) \(unsafeRaw: SQLLike.escape)
                  OR lower(display_name) LIKE \(bind: pattern) \(unsafeRaw: SQLLike.escape))
                ORDER BY address_key LIMIT \(bind: limit)
                """
            ).all().map {
                AddressBookEntry(
                    name: try $0.decode(column: "display_name", as: String.self),
                    address: try $0.decode(column: "address", as: String.self))
            }
            let aliases = try await db.raw(
                """
                SELECT DISTINCT source_key FROM alias WHERE source_key LIKE \(bind: pattern) \(unsafeRaw: SQLLike.escape)
                  AND source_key LIKE \(bind: inDomain) \(unsafeRaw: SQLLike.escape)
                  AND source_key NOT LIKE '@%'
                ORDER BY source_key LIMIT \(bind: limit)
                """
            ).all().map { AddressBookEntry(name: "", address: try $0.decode(column: "source_key", as: String.self)) }
            return Array((accounts + aliases).prefix(limit))
        }
    }
}
