import Core

/// CREATE, DELETE and RENAME (RFC 9051 §6.3.4–§6.3.6) as outcomes the session maps to responses.
/// CREATE, DELETE and RENAME (INBOX's too) are one store transaction each.
extension IMAPMailboxStore {
    /// RFC 9051 §6.3.4: superior names needed by a new name are created too.
    func create(accountID: Int64, name: String, specialUse: SpecialUse?) async throws -> IMAPTreeOutcome {
        do {
            let delimiter = IMAPSession.delimiter
            _ = try await createMailboxTree(accountID: accountID, name: name, specialUse: specialUse, delimiter: delimiter)
        } catch let error where failure(error) == .mailboxExists {
            return .alreadyExists
        }
        return .done(deletedMailboxID: nil)
    }

    /// RFC 9051 §6.3.5: a server may refuse to delete a name with inferiors; Posta does.
    func delete(accountID: Int64, name: String) async throws -> IMAPTreeOutcome {
        do {
            let id = try await deleteMailbox(
                accountID: accountID, name: name, refusingInferiors: true, delimiter: IMAPSession.delimiter)
            return .done(deletedMailboxID: id)
        } catch let error where failure(error) == .noSuchMailbox {
            return .nonexistent
        } catch let error where failure(error) == .hasChildren {
            return .hasChildren
        }
    }

    /// RFC 9051 §6.3.6: inferiors are renamed too; renaming INBOX moves its messages to a new
    /// mailbox and leaves INBOX empty.
    func rename(accountID: Int64, from old: String, to new: String) async throws -> IMAPTreeOutcome {
        guard try await mailbox(accountID: accountID, name: old) != nil else { return .nonexistent }
        if try await mailbox(accountID: accountID, name: new) != nil { return .alreadyExists }
        if old == "INBOX" {
            try await renameInbox(accountID: accountID, to: new, delimiter: IMAPSession.delimiter)
        } else {
            try await renameMailbox(
                accountID: accountID, from: old, to: new, delimiter: IMAPSession.delimiter, creatingSuperiors: true)
        }
        return .done(deletedMailboxID: nil)
    }
}
