import Core
import SQLKit

/// How far a report address's mailbox has been read for reports of one kind (`dmarc`,
/// `tlsrpt`): the last UID, valid while the mailbox keeps its UIDVALIDITY
/// (`report_import_position`).
public struct ReportImportPositions: Sendable {
    public let database: Database
    /// The kind of report read, e.g. `dmarc`.
    public let kind: String

    public init(database: Database, kind: String) {
        self.database = database
        self.kind = kind
    }

    /// The last UID read from a mailbox, when its UIDVALIDITY is still `uidValidity`; else 0.
    public func position(mailboxID: Int64, uidValidity: UInt32) async throws -> UInt32 {
        let row = try await database.snapshot { [kind] db in
            try await db.raw(
                """
                SELECT uidvalidity, last_uid FROM report_import_position
                WHERE kind = \(bind: kind) AND mailbox_id = \(bind: mailboxID)
                """
            ).first()
        }
        guard let row, try row.decode(column: "uidvalidity", as: Int64.self) == Int64(uidValidity) else { return 0 }
        return UInt32(clamping: try row.decode(column: "last_uid", as: Int64.self))
    }

    public func setPosition(mailboxID: Int64, uidValidity: UInt32, lastUID: UInt32) async throws {
        try await database.withConnection { [kind] db in
            try await db.raw(
                """
                INSERT INTO report_import_position (kind, mailbox_id, uidvalidity, last_uid)
                VALUES (\(bind: kind), \(bind: mailboxID), \(bind: Int64(uidValidity)), \(bind: Int64(lastUID)))
                ON CONFLICT (kind, mailbox_id) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid
                """
            ).run()
        }
    }
}
