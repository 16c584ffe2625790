import Core
import SQLKit

extension MailStore {
    /// Most kept messages whose header `deletedMessageHeaders` reads in one call.
    public static let maxDeletedHeaders = 500

    /// The header sections (bytes up to the empty line) of the account's kept messages `ids`, by
    /// id, so a page can show their sender and subject. A kept message of another account, one
    /// already restored or purged, or whose file cannot be read, is left out. At most
    /// `maxDeletedHeaders` ids are read.
    public func deletedMessageHeaders(accountID: Int64, ids: [Int64]) async throws -> [Int64: [UInt8]] {
        guard !ids.isEmpty else { return [:] }
        let binds = ids.prefix(Self.maxDeletedHeaders).map { $0 as any Encodable & Sendable }
        let rows = try await database.withConnection { db in
            try await db.raw(
                """
                SELECT d.id, d.file, s.maildir FROM deleted_message d
                JOIN store_account s ON s.account_id = d.account_id
                WHERE d.account_id = \(bind: accountID) AND d.restored_at IS NULL AND d.id IN (\(binds: binds))
                """
            ).all()
        }
        var headers: [Int64: [UInt8]] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: Int64.self)
            let path = absolute(
                maildir: try row.decode(column: "maildir", as: String.self), file: try row.decode(column: "file", as: String.self)
            )
            if let header = try? await MessageFileReader.readMessageHeader(path) { headers[id] = header }
        }
        return headers
    }
}
