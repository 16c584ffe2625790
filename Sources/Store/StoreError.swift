/// Why a store operation failed; each reads as one line for logs and the admin CLI.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The account has no mailbox of that name.
    case noSuchMailbox(String)
    /// A mailbox of that name already exists.
    case mailboxExists(String)
    /// The mailbox has inferiors and the caller asked not to delete those (IMAP DELETE, RFC 9051 §6.3.5).
    case hasInferiors(String)
    /// The name cannot be a mailbox name (empty, control characters, too long).
    case invalidMailboxName(String)
    /// A flag that is not an IMAP atom (RFC 9051 §9 `flag`).
    case invalidFlag(String)
    /// The address has no usable local part or domain for a maildir path.
    case invalidAddress(String)
    /// Storing `adding` bytes would take the account past its quota (`552 5.2.2`, IMAP `[OVERQUOTA]`).
    case overQuota(used: Int64, quota: Int64, adding: Int64)
    /// The account has no store yet: call `provision(account:)` first.
    case notProvisioned(Int64)
    /// A file-system operation failed.
    case io(String)

    public var description: String {
        switch self {
        case .noSuchMailbox(let name): "no such mailbox '\(name)'"
        case .mailboxExists(let name): "mailbox '\(name)' already exists"
        case .hasInferiors(let name): "mailbox '\(name)' has inferior mailboxes"
        case .invalidMailboxName(let name): "invalid mailbox name '\(name)'"
        case .invalidFlag(let flag): "invalid flag '\(flag)'"
        case .invalidAddress(let address): "cannot derive a maildir from address '\(address)'"
        case .overQuota(let used, let quota, let adding):
            "quota exceeded: \(used) of \(quota) bytes used, \(adding) more refused"
        case .notProvisioned(let id): "account \(id) has no mail store"
        case .io(let what): "store I/O error: \(what)"
        }
    }
}
