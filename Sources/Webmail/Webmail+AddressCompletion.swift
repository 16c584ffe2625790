import Core
import Directory
import Foundation
import SQLKit

extension Webmail {
    /// Recipients remembered per account, at most (the least recently used go).
    static let rememberedRecipients = 500

    /// Completions for a recipient field: the user's own earlier recipients first (most used),
    /// then the directory of the account's own domain (`Directory.addressBook`).
    public func completions(_ account: Account, prefix: String, limit: Int = 10) async throws -> [AddressBookEntry] {
        let prefix = prefix.trimmingCharacters(in: .whitespaces).lowercased()
        guard prefix.count >= 2, prefix.utf8.count <= 100 else { return [] }
        let pattern = SQLLike.escaped(prefix) + "%"
        let own = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT address, name FROM webmail_recipient WHERE account_id = \(bind: account.id)
                  AND (address LIKE \(bind: pattern) \(unsafeRaw: SQLLike.escape) OR lower(name) LIKE \(bind: pattern) \(unsafeRaw: SQLLike.escape))
                ORDER BY uses DESC, used_at DESC LIMIT \(bind: limit)
                """
            ).all().map {
                AddressBookEntry(
                    name: try $0.decode(column: "name", as: String.self),
                    address: try $0.decode(column: "address", as: String.self))
            }
        }
        var seen = Set(own.map { $0.address.lowercased() })
        let domain = account.address.split(separator: "@").last.map(String.init) ?? ""
        let site = try await directory.addressBook(matching: prefix, domain: domain, limit: limit).filter {
            seen.insert($0.address.lowercased()).inserted
        }
        return Array((own + site).prefix(limit))
    }

    /// The most used earlier recipients (the compose form's list without JavaScript).
    public func frequentRecipients(_ account: Account, limit: Int = 50) async throws -> [AddressBookEntry] {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT address, name FROM webmail_recipient WHERE account_id = \(bind: account.id)
                ORDER BY uses DESC, used_at DESC LIMIT \(bind: limit)
                """
            ).all().map {
                AddressBookEntry(
                    name: try $0.decode(column: "name", as: String.self),
                    address: try $0.decode(column: "address", as: String.self))
            }
        }
    }

    /// Counts a use of each address (after a message went out).
    func remember(_ account: Account, _ addresses: [MessageAddress]) async throws {
        let at = UnixTime.now()
        try await database.transaction { db in
            for entry in addresses {
                try await db.raw(
                    """
                    INSERT INTO webmail_recipient (account_id, address, name, uses, used_at)
                    VALUES (\(bind: account.id), \(bind: entry.address.lowercased()), \(bind: entry.name), 1, \(bind: at))
                    ON CONFLICT (account_id, address) DO UPDATE SET uses = webmail_recipient.uses + 1,
                      used_at = excluded.used_at,
                      name = CASE WHEN excluded.name = '' THEN webmail_recipient.name ELSE excluded.name END
                    """
                ).run()
            }
            try await db.raw(
                """
                DELETE FROM webmail_recipient WHERE account_id = \(bind: account.id) AND address NOT IN (
                  SELECT address FROM webmail_recipient WHERE account_id = \(bind: account.id)
                  ORDER BY used_at DESC LIMIT \(bind: Self.rememberedRecipients))
                """
            ).run()
        }
    }
}
