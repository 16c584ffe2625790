import Core
import Crypto
import Foundation
import SQLKit
import Store

/// What a script asks of the world at delivery: whether a mailbox exists (RFC 5490) and whether
/// an id was seen (RFC 7352), for one account.
struct DeliveryEnvironment: SieveEnvironment {
    let store: MailStore
    let database: Database
    let accountID: Int64

    func mailboxExists(_ name: String) async -> Bool {
        (try? await store.mailbox(accountID: accountID, name: name)) != nil
    }

    func isDuplicate(_ id: String, seconds: Int) async -> Bool {
        let hash = Self.hash(id)
        let now = UnixTime.now()
        let accountID = accountID
        let found = try? await database.withConnection { db in
            try await db.select().column("expires_at").from("sieve_duplicate").where("account_id", .equal, accountID)
                .where("id_hash", .equal, hash).first(decodingColumn: "expires_at", as: Int64.self)
        }
        return (found ?? nil).map { $0 > now } ?? false
    }

    /// Tracks `id` for `seconds` from now (RFC 7352 §3: once the message was delivered).
    static func track(_ id: String, seconds: Int, accountID: Int64, in database: Database) async throws {
        let hash = hash(id)
        let expires = UnixTime.now() + Int64(seconds)
        try await database.withConnection { db in
            try await db.raw(
                """
                INSERT INTO sieve_duplicate (account_id, id_hash, expires_at)
                VALUES (\(bind: accountID), \(bind: hash), \(bind: expires))
                ON CONFLICT (account_id, id_hash) DO UPDATE SET expires_at = excluded.expires_at
                """
            ).run()
        }
    }

    /// Ids are kept hashed: they may be whole header values.
    static func hash(_ id: String) -> String {
        SHA256.hash(data: Array(id.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
