import Core
import SQLKit

/// The store's metric (docs/metrics.md): the bytes of every mailbox, read from the index by
/// `posta serve` every few seconds (`usedBytes`).
public enum StoreMetrics {
    public static let bytes = PostaMetric(
        "posta_store_bytes", .gauge, help: "Bytes of the messages in every account's mailboxes (the quota usage).")
    public static let accounts = PostaMetric(
        "posta_store_accounts", .gauge, help: "Accounts with a provisioned mailbox store.")

    public static let all = [bytes, accounts]
}

extension MailStore {
    /// The bytes every account's messages take, and the number of accounts (from `store_account`).
    public func usageTotals() async throws -> (bytes: Int64, accounts: Int64) {
        try await database.withConnection { db in
            guard
                let row = try await db.raw(
                    "SELECT CAST(COALESCE(SUM(used_bytes), 0) AS BIGINT) AS bytes, COUNT(*) AS accounts FROM store_account"
                ).first()
            else { return (0, 0) }
            return (try row.decode(column: "bytes", as: Int64.self), try row.decode(column: "accounts", as: Int64.self))
        }
    }
}
