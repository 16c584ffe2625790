import Core
import Directory
import Foundation
import Logging
import NIOCore
import Store

/// What a POP3 connection needs from the rest of Posta: logins (with the login log and the
/// throttle), maildrop locks, snapshots and expunges.
public final class POP3Backend: Sendable {
    public let authenticator: Authenticator
    public let store: MailStore
    /// Maildrop locks shared by every node (RFC 1939 §4); IMAP does not take them: it sees POP3
    /// deletions only once they are applied in UPDATE.
    public let locks: MaildropLocks
    public let logger: Logger

    public init(authenticator: Authenticator, store: MailStore, locks: MaildropLocks, logger: Logger) {
        self.authenticator = authenticator
        self.store = store
        self.locks = locks
        self.logger = logger
    }

    /// Checks the credentials (throttled), records the attempt, locks the maildrop and takes the
    /// INBOX snapshot. A session that logs in on `channel` is registered to end when the account is
    /// disabled or its password changes.
    public func login(
        user: String, password: String, clientIP: String, protocolName: String, channel: (any Channel)? = nil,
        logger: Logger
    ) async -> (POP3EffectResult, MaildropLease?) {
        let account: Account
        switch await authenticator.login(
            user: user, password: password, clientIP: clientIP, protocolName: protocolName, logger: logger)
        {
        case .throttled: return (.loginFailed(.throttled), nil)
        case .invalidCredentials: return (.loginFailed(.invalidCredentials), nil)
        case .unavailable: return (.loginFailed(.temporary), nil)
        case .passwordExpired: return (.loginFailed(.passwordExpired), nil)
        case .success(let found): account = found
        }
        func refuse(_ reason: String) async {
            await authenticator.recordRefusal(
                account, clientIP: clientIP, protocolName: protocolName, reason: reason, logger: logger)
        }
        let acquired: MaildropLease?
        do {
            acquired = try await locks.acquire(accountID: account.id)
        } catch {
            logger.error("cannot lock maildrop", metadata: ["user": "\(account.address)", "error": "\(error)"])
            await refuse("store-error")
            return (.loginFailed(.temporary), nil)
        }
        guard let lease = acquired else {
            logger.notice("login refused: maildrop in use", metadata: ["user": "\(account.address)"])
            await refuse("in-use")
            return (.loginFailed(.inUse), nil)
        }
        do {
            var inbox = try await store.mailbox(accountID: account.id, name: "INBOX")
            if inbox == nil {
                try await store.provision(account: account)
                inbox = try await store.mailbox(accountID: account.id, name: "INBOX")
            }
            guard let inbox else { throw StoreError.noSuchMailbox("INBOX") }
            let messages = try await store.messages(mailboxID: inbox.id)
            let imported = try await store.pop3UIDLs(mailboxID: inbox.id)
            let drop = POP3Maildrop(
                mailboxID: inbox.id, uidValidity: inbox.uidValidity,
                messages: messages.map {
                    POP3Message(uid: $0.uid, size: $0.size, path: $0.path, importedUIDL: imported[$0.uid])
                })
            logger.info("maildrop opened", metadata: ["user": "\(account.address)", "messages": "\(drop.messages.count)"])
            if let channel { authenticator.sessions.register(account, channel: channel) }
            return (.loggedIn(drop), lease)
        } catch {
            await lease.release()
            logger.error("cannot open maildrop", metadata: ["user": "\(account.address)", "error": "\(error)"])
            await refuse("store-error")
            return (.loginFailed(.temporary), nil)
        }
    }

    /// RFC 1939 §6 UPDATE: removes the messages, then releases the maildrop.
    public func update(mailboxID: Int64, uids: [UInt32], lease: MaildropLease?, logger: Logger) async -> POP3EffectResult {
        let complete: Bool
        do {
            let removed = try await store.expunge(mailboxID: mailboxID, uids: uids)
            logger.info("update", metadata: ["deleted": "\(removed.count)"])
            complete = true
        } catch {
            logger.error("update failed", metadata: ["error": "\(error)"])
            complete = false
        }
        // Released before +OK: a client that logs in again at once finds the maildrop free.
        await lease?.release()
        return .updated(complete: complete)
    }
}
