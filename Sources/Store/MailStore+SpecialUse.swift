import Core
import SQLKit

extension MailStore {
    /// The name of the account's mailbox marked `use` (RFC 6154), whatever it is called now;
    /// the oldest when several are; nil when none is.
    public func mailboxName(accountID: Int64, specialUse use: SpecialUse) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT name FROM mailbox WHERE account_id = \(bind: accountID) AND special_use = \(bind: use.rawValue)
                ORDER BY id LIMIT 1
                """
            ).first(decodingColumn: "name", as: String.self)
        }
    }
}
