import Core
import Directory
import Foundation
import Logging
import Store

/// In-process maildrop locks (RFC 1939 §4: the server acquires an exclusive lock on the
/// maildrop at login, or answers `-ERR`; RFC 2449 §8.1.2 `[IN-USE]`). One per account.
///
/// Only sessions in this process are excluded; a cluster-wide lock (a lease row in the
/// database) can replace this later. IMAP does not take these locks: it sees POP3 deletions
/// only once they are applied in UPDATE.
public final class POP3MaildropLocks: @unchecked Sendable {
    private let lock = NSLock()
    private var held: Set<Int64> = []

    public static let shared = POP3MaildropLocks()

    public init() {}

    /// A lease on the account's maildrop, or nil when another session holds it.
    public func acquire(accountID: Int64) -> POP3MaildropLease? {
        lock.lock()
        defer { lock.unlock() }
        guard held.insert(accountID).inserted else { return nil }
        return POP3MaildropLease(accountID: accountID, locks: self)
    }

    public func isHeld(accountID: Int64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return held.contains(accountID)
    }

    fileprivate func release(_ accountID: Int64) {
        lock.lock()
        held.remove(accountID)
        lock.unlock()
    }
}

/// A held maildrop lock; `release` is idempotent (and runs on deinit as a safety net).
public final class POP3MaildropLease: @unchecked Sendable {
    public let accountID: Int64
    private let locks: POP3MaildropLocks
    private let lock = NSLock()
    private var released = false

    fileprivate init(accountID: Int64, locks: POP3MaildropLocks) {
        self.accountID = accountID
        self.locks = locks
    }

    public func release() {
        lock.lock()
        let first = !released
        released = true
        lock.unlock()
        if first { locks.release(accountID) }
    }

    deinit { release() }
}

/// What a POP3 connection needs from the rest of Posta: logins (with the login log and the
/// throttle), maildrop locks, snapshots and expunges.
public final class POP3Backend: Sendable {
    public let authenticator: Authenticator
    public let store: MailStore
    public let locks: POP3MaildropLocks
    public let logger: Logger

    public init(authenticator: Authenticator, store: MailStore, locks: POP3MaildropLocks = .shared, logger: Logger) {
        self.authenticator = authenticator
        self.store = store
        self.locks = locks
        self.logger = logger
    }

    /// Checks the credentials (throttled), records the attempt, locks the maildrop and takes the
    /// INBOX snapshot.
    public func login(
        user: String, password: String, clientIP: String, protocolName: String, logger: Logger
    ) async -> (POP3EffectResult, POP3MaildropLease?) {
        let account: Account
        switch await authenticator.login(
            user: user, password: password, clientIP: clientIP, protocolName: protocolName, logger: logger)
        {
        case .throttled: return (.loginFailed(.throttled), nil)
        case .invalidCredentials: return (.loginFailed(.invalidCredentials), nil)
        case .unavailable: return (.loginFailed(.temporary), nil)
        case .success(let found): account = found
        }
        func refuse(_ reason: String) async {
            await authenticator.recordRefusal(account, clientIP: clientIP, protocolName: protocolName, reason: reason, logger: logger)
        }
        guard let lease = locks.acquire(accountID: account.id) else {
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
            let drop = POP3Maildrop(
                mailboxID: inbox.id, uidValidity: inbox.uidValidity,
                messages: messages.map { POP3Message(uid: $0.uid, size: $0.size, path: $0.path) })
            logger.info("maildrop opened", metadata: ["user": "\(account.address)", "messages": "\(drop.messages.count)"])
            return (.loggedIn(drop), lease)
        } catch {
            lease.release()
            logger.error("cannot open maildrop", metadata: ["user": "\(account.address)", "error": "\(error)"])
            await refuse("store-error")
            return (.loginFailed(.temporary), nil)
        }
    }

    /// RFC 1939 §6 UPDATE: removes the messages, then releases the maildrop.
    public func update(mailboxID: Int64, uids: [UInt32], lease: POP3MaildropLease?, logger: Logger) async -> POP3EffectResult {
        defer { lease?.release() }
        do {
            let removed = try await store.expunge(mailboxID: mailboxID, uids: uids)
            logger.info("update", metadata: ["deleted": "\(removed.count)"])
            return .updated(complete: true)
        } catch {
            logger.error("update failed", metadata: ["error": "\(error)"])
            return .updated(complete: false)
        }
    }
}
