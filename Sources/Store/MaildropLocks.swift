import Core
import Foundation
import Logging
import SQLKit

/// Exclusive access to an account's maildrop for a POP3 session (RFC 1939 §4: the server locks the
/// maildrop at login or answers `-ERR [IN-USE]`, RFC 2449 §8.1.2), shared by every node of a cluster
/// through one `maildrop_lock` row per account.
///
/// A lease lasts `leaseDuration` (a minute) and is renewed in the background every third of it while
/// held, so a node that dies holding one blocks the account only until it expires: the user's next
/// login on another node within a minute works; a node starting up drops its own stale rows at once
/// (`releaseAll`).
public struct MaildropLocks: Sendable {
    public let database: Database
    public let nodeID: String
    public let leaseDuration: Duration
    let logger: Logger

    public init(database: Database, nodeID: String, leaseDuration: Duration = .seconds(60), logger: Logger) {
        self.database = database
        self.nodeID = nodeID
        self.leaseDuration = leaseDuration
        self.logger = logger
    }

    /// A lease on the account's maildrop, or nil while another session on any node holds one.
    public func acquire(accountID: Int64) async throws -> MaildropLease? {
        let token = UUID().uuidString
        let now = UnixTime.now()
        let expires = now + leaseDuration.components.seconds
        let holder = try await database.transaction { db in
            try await db.raw("DELETE FROM maildrop_lock WHERE account_id = \(bind: accountID) AND expires_at < \(bind: now)")
                .run()
            try await db.raw(
                """
                INSERT INTO maildrop_lock (account_id, token, node_id, expires_at)
                VALUES (\(bind: accountID), \(bind: token), \(bind: nodeID), \(bind: expires))
                ON CONFLICT (account_id) DO NOTHING
                """
            ).run()
            return try await db.raw("SELECT token FROM maildrop_lock WHERE account_id = \(bind: accountID)")
                .first(decodingColumn: "token", as: String.self)
        }
        guard holder == token else { return nil }
        return MaildropLease(accountID: accountID, token: token, locks: self)
    }

    /// Drops every lock this node holds: at startup, when none of its sessions can be alive.
    public func releaseAll() async throws {
        try await database.transaction { db in
            try await db.raw("DELETE FROM maildrop_lock WHERE node_id = \(bind: nodeID)").run()
        }
    }

    /// Whether any session on any node holds the account's maildrop now.
    public func isHeld(accountID: Int64) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw(
                """
                SELECT token FROM maildrop_lock WHERE account_id = \(bind: accountID) AND expires_at >= \(bind: UnixTime.now())
                """
            ).first() != nil
        }
    }

    func release(accountID: Int64, token: String) async {
        do {
            try await database.transaction { db in
                try await db.raw("DELETE FROM maildrop_lock WHERE account_id = \(bind: accountID) AND token = \(bind: token)")
                    .run()
            }
        } catch {
            logger.warning("cannot release maildrop lock", metadata: ["account": "\(accountID)", "error": "\(error)"])
        }
    }

    func renew(accountID: Int64, token: String) async throws {
        let expires = UnixTime.now() + leaseDuration.components.seconds
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE maildrop_lock SET expires_at = \(bind: expires) WHERE account_id = \(bind: accountID) AND token = \(bind: token)
                """
            ).run()
        }
    }
}

/// A held maildrop lock. `release()` is idempotent; a lease dropped without it is released in the
/// background (a dropped connection), and until then renewed every third of the lease duration.
public final class MaildropLease: Sendable {
    public let accountID: Int64
    let token: String
    private let locks: MaildropLocks
    private let state = LeaseState()

    init(accountID: Int64, token: String, locks: MaildropLocks) {
        self.accountID = accountID
        self.token = token
        self.locks = locks
        let interval = locks.leaseDuration / 3
        state.renewal = Task { [locks] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                try? await locks.renew(accountID: accountID, token: token)
            }
        }
    }

    /// Gives the maildrop back; waits until other nodes can take it.
    public func release() async {
        guard state.takeRelease() else { return }
        await locks.release(accountID: accountID, token: token)
    }

    /// Gives the maildrop back without waiting (from an event loop: a dropped connection).
    public func releaseInBackground() {
        guard state.takeRelease() else { return }
        let (locks, accountID, token) = (locks, accountID, token)
        Task { await locks.release(accountID: accountID, token: token) }
    }

    deinit { releaseInBackground() }
}

/// The lease's mutable part: its renewal task and whether it was released.
private final class LeaseState: @unchecked Sendable {
    private let lock = NSLock()
    private var released = false
    var renewal: Task<Void, Never>? {
        get { lock.withLock { task } }
        set { lock.withLock { task = newValue } }
    }
    private var task: Task<Void, Never>?

    /// True exactly once: for the caller that releases.
    func takeRelease() -> Bool {
        lock.withLock {
            guard !released else { return false }
            released = true
            task?.cancel()
            return true
        }
    }
}
