import Core

/// The mail store as IMAP sessions need it. `MailStore` conforms (in the server adapter); unit
/// tests use an in-memory store. Errors thrown are mapped by `failure(_:)`.
public protocol IMAPMailboxStore: Sendable {
    func mailboxes(accountID: Int64) async throws -> [MailboxInfo]
    func mailbox(accountID: Int64, name: String) async throws -> MailboxInfo?
    /// The mailbox by name and the index of its messages, read in one snapshot; nil when it does not exist.
    func states(accountID: Int64, name: String) async throws -> (mailbox: MailboxInfo, index: MailboxIndex)?
    /// What changed after `modSeq`; nil when the mailbox no longer exists.
    func changes(mailboxID: Int64, since modSeq: Int64) async throws -> MailboxChanges?
    /// RFC 3501 §2.3.2: the first UID the caller may treat as `\Recent`.
    func claimRecent(mailboxID: Int64, upTo uidNext: UInt32) async throws -> UInt32
    /// Index rows of those of `uids` that exist.
    func messages(mailboxID: Int64, uids: [UInt32]) async throws -> [StoredMessage]
    /// A message's bytes: its header alone when `headerOnly`.
    func content(of message: StoredMessage, headerOnly: Bool) async throws -> [UInt8]
    func deletedCountAndSize(mailboxID: Int64) async throws -> (deleted: Int, size: Int64)
    func storeFlags(
        mailboxID: Int64, uids: [UInt32], operation: FlagOperation, flags: [String], unchangedSince: Int64?
    ) async throws -> FlagStoreResult
    func copy(mailboxID source: Int64, uids: [UInt32], to destination: String, move: Bool) async throws -> CopyResult
    func expunge(mailboxID: Int64, uids: [UInt32], onlyDeleted: Bool) async throws -> [UInt32]
    func append(accountID: Int64, mailbox: String, messages: [AppendRequest]) async throws -> [AppendResult]
    /// CREATE with the superiors the name needs, in one transaction; the mailboxes created, superiors first.
    func createMailboxTree(accountID: Int64, name: String, specialUse: SpecialUse?, delimiter: Character) async throws
        -> [MailboxInfo]
    /// DELETE; with `refusingInferiors`, a mailbox with inferiors is refused (`IMAPStoreFailure.hasChildren`).
    /// Returns the deleted mailbox's id.
    @discardableResult
    func deleteMailbox(accountID: Int64, name: String, refusingInferiors: Bool, delimiter: Character) async throws -> Int64
    /// RENAME with inferiors and, with `creatingSuperiors`, the superiors the new name needs, in one transaction.
    func renameMailbox(accountID: Int64, from old: String, to new: String, delimiter: Character, creatingSuperiors: Bool)
        async throws
    /// RENAME of INBOX: its messages move to a new mailbox (made with its superiors), in one transaction.
    @discardableResult
    func renameInbox(accountID: Int64, to name: String, delimiter: Character) async throws -> CopyResult
    func setSubscribed(accountID: Int64, name: String, _ subscribed: Bool) async throws
    func subscriptions(accountID: Int64) async throws -> [String]
    func storageUsage(accountID: Int64) async throws -> StorageUsage
    /// How IMAP reports an error this store threw.
    func failure(_ error: any Error) -> IMAPStoreFailure
}
