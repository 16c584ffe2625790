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
    public let directory: Directory
    public let store: MailStore
    public let loginLog: LoginLog
    public let throttle: LoginThrottle
    public let locks: POP3MaildropLocks
    public let logger: Logger

    public init(
        directory: Directory, store: MailStore, loginLog: LoginLog, throttle: LoginThrottle = .shared,
        locks: POP3MaildropLocks = .shared, logger: Logger
    ) {
        self.directory = directory
        self.store = store
        self.loginLog = loginLog
        self.throttle = throttle
        self.locks = locks
        self.logger = logger
    }

    /// Checks the credentials (throttled), records the attempt, locks the maildrop and takes the
    /// INBOX snapshot.
    public func login(
        user: String, password: String, clientIP: String, protocolName: String, logger: Logger
    ) async -> (POP3EffectResult, POP3MaildropLease?) {
        let login = user.lowercased()
        func record(_ accountID: Int64?, success: Bool, reason: String?) async {
            do {
                try await loginLog.record(
                    LoginEvent(accountID: accountID, login: login, ip: clientIP, protocolName: protocolName, success: success, reason: reason))
            } catch {
                logger.warning("cannot record login", metadata: ["error": "\(error)"])
            }
        }
        if await throttle.check(ip: clientIP, login: login) == .refused {
            logger.notice("login refused: throttled", metadata: ["user": "\(login)"])
            await record(nil, success: false, reason: "throttled")
            return (.loginFailed(.throttled), nil)
        }
        let result: LoginResult
        do {
            result = try await directory.authenticate(user, password: password)
        } catch {
            logger.error("authentication failed", metadata: ["error": "\(error)"])
            return (.loginFailed(.temporary), nil)
        }
        let account: Account
        switch result {
        case .failure(let failure):
            let delay = await throttle.recordFailure(ip: clientIP, login: login)
            logger.notice("login failed", metadata: ["user": "\(login)", "reason": "\(failure.rawValue)", "delay": "\(delay)"])
            await record(nil, success: false, reason: failure.rawValue)
            if delay > .zero { try? await Task.sleep(for: delay) }
            return (.loginFailed(.invalidCredentials), nil)
        case .success(let found):
            account = found
        }
        await throttle.recordSuccess(ip: clientIP, login: login)
        guard let lease = locks.acquire(accountID: account.id) else {
            logger.notice("login refused: maildrop in use", metadata: ["user": "\(login)"])
            await record(account.id, success: false, reason: "in-use")
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
            await record(account.id, success: true, reason: nil)
            logger.info("login", metadata: ["user": "\(login)", "messages": "\(drop.messages.count)"])
            return (.loggedIn(drop), lease)
        } catch {
            lease.release()
            logger.error("cannot open maildrop", metadata: ["user": "\(login)", "error": "\(error)"])
            await record(account.id, success: false, reason: "store-error")
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
