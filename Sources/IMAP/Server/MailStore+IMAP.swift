import Core
import Store

/// The store behind IMAP sessions: `MailStore`'s operations as `IMAPMailboxStore` requires them.
extension MailStore: IMAPMailboxStore {
    public func content(of message: StoredMessage, headerOnly: Bool) async throws -> [UInt8] {
        try await headerOnly ? MessageFileReader.readMessageHeader(message.path) : MessageFileReader.readMessage(message.path)
    }

    public func failure(_ error: any Error) -> IMAPStoreFailure {
        switch error as? StoreError {
        case .noSuchMailbox?: .noSuchMailbox
        case .mailboxExists?: .mailboxExists
        case .hasInferiors?: .hasChildren
        case .invalidMailboxName?: .invalidMailboxName
        case .invalidFlag(let flag)?: .invalidFlag(flag)
        case .overQuota?: .overQuota
        case .invalidAddress?, .notProvisioned?, .io?: .unavailable
        case nil: .internalError
        }
    }
}
