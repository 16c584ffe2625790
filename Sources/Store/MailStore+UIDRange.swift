import SQLKit

extension MailStore {
    /// Takes `count` consecutive UIDs of a mailbox and one new modseq for them, inside the caller's
    /// transaction (RFC 9051 §2.3.1.1: UIDs strictly ascending, never reused): returns the first UID and
    /// the modseq. Used by COPY/MOVE and by undelete's restore, which store several messages at once.
    static func reserveUIDs(_ count: Int, mailboxID: Int64, in db: any SQLDatabase) async throws -> (
        first: Int64, modSeq: Int64
    ) {
        guard
            let box = try await db.raw(
                """
                UPDATE mailbox SET uidnext = uidnext + \(bind: Int64(count)), highest_modseq = highest_modseq + 1
                WHERE id = \(bind: mailboxID) RETURNING uidnext, highest_modseq
                """
            ).first()
        else { throw StoreError.noSuchMailbox("#\(mailboxID)") }
        let uidNext = try box.decode(column: "uidnext", as: Int64.self)
        guard uidNext <= Int64(UInt32.max) else { throw StoreError.io("UID space of mailbox \(mailboxID) exhausted") }
        return (uidNext - Int64(count), try box.decode(column: "highest_modseq", as: Int64.self))
    }
}
