import Directory
import Store

/// The one implementation of adding and deleting a mail account with its storage, used by
/// `AdminConsole` and `Site` (and through them every front end).
public enum AccountProvisioning {
    /// Adds the account to the directory, then creates its mailboxes (INBOX and the special-use
    /// folders). A failure to provision leaves the account, which `provision` completes later
    /// (the POP3/IMAP login provisions too).
    public static func add(
        _ address: String, password: StoredPassword, displayName: String, quotaBytes: Int64, directory: Directory,
        store: MailStore
    ) async throws -> Account {
        let account = try await directory.addAccount(
            address, password: password, displayName: displayName, quotaBytes: quotaBytes)
        try await store.provision(account: account)
        return account
    }

    /// Deletes the account's mailboxes and mail, then the account (its sessions end on every node).
    /// Deprovisioning first means a crash in between leaves an account without mail, which a
    /// second delete finishes, never mail without an account.
    public static func delete(_ address: String, directory: Directory, store: MailStore) async throws {
        guard let account = try await directory.account(address) else { throw DirectoryError.unknownAccount(address) }
        try await store.deprovision(accountID: account.id)
        try await directory.deleteAccount(address)
    }
}
