import NIOConcurrencyHelpers
import NIOCore

/// The authenticated sessions of this process (IMAP, POP3, submission), by account, so that
/// disabling an account or changing its password ends them: `SessionRevocationWatcher` reads the
/// revocations every node's admin commands record and calls `revoke`.
///
/// Calling order: a protocol session calls `register` right after a successful login, with the
/// `Account` the login returned (its `sessionGeneration` is what the password was checked against)
/// and a `close` that ends the connection with the protocol's goodbye; it calls `end` on the
/// registration when the connection ends (or lets it go: it ends when released). A revocation
/// that arrived between the login and `register` closes the session at once, so none slips through.
public final class AccountSessions: Sendable {
    private struct Entry {
        let generation: Int64
        let close: @Sendable () -> Void
    }

    private struct State {
        var nextID: UInt64 = 0
        var sessions: [Int64: [UInt64: Entry]] = [:]
        /// The highest generation revoked per account.
        var revoked: [Int64: Int64] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Registers an authenticated session. `close` may be called from any thread, at most once.
    public func register(_ account: Account, close: @escaping @Sendable () -> Void) -> SessionRegistration {
        let (id, stale) = state.withLockedValue { state -> (UInt64, Bool) in
            state.nextID += 1
            if let revoked = state.revoked[account.id], revoked > account.sessionGeneration { return (state.nextID, true) }
            state.sessions[account.id, default: [:]][state.nextID] = Entry(generation: account.sessionGeneration, close: close)
            return (state.nextID, false)
        }
        if stale { close() }
        return SessionRegistration(sessions: self, accountID: account.id, id: id)
    }

    /// Closes the account's sessions authenticated under a generation below `generation`, now and
    /// when they register later; returns how many were open.
    @discardableResult
    public func revoke(accountID: Int64, generation: Int64) -> Int {
        let closers = state.withLockedValue { state -> [@Sendable () -> Void] in
            state.revoked[accountID] = max(state.revoked[accountID] ?? 0, generation)
            guard let entries = state.sessions[accountID] else { return [] }
            let stale = entries.filter { $0.value.generation < generation }
            let kept = entries.filter { $0.value.generation >= generation }
            state.sessions[accountID] = kept.isEmpty ? nil : kept
            return stale.values.map(\.close)
        }
        for close in closers { close() }
        return closers.count
    }

    /// Open sessions of the account.
    public func count(accountID: Int64) -> Int {
        state.withLockedValue { $0.sessions[accountID]?.count ?? 0 }
    }

    fileprivate func end(accountID: Int64, id: UInt64) {
        state.withLockedValue { state in
            state.sessions[accountID]?[id] = nil
            if state.sessions[accountID]?.isEmpty == true { state.sessions[accountID] = nil }
        }
    }
}

/// One registered session; `end` (or releasing it) unregisters it.
public final class SessionRegistration: Sendable {
    private let sessions: AccountSessions
    private let accountID: Int64
    private let id: UInt64

    fileprivate init(sessions: AccountSessions, accountID: Int64, id: UInt64) {
        self.sessions = sessions
        self.accountID = accountID
        self.id = id
    }

    public func end() {
        sessions.end(accountID: accountID, id: id)
    }

    deinit {
        end()
    }
}

/// Fired through a channel's pipeline when the session's account was revoked: the protocol
/// handler answers with its goodbye (SMTP `421 4.7.0`, POP3 `-ERR [AUTH]`) and closes.
public struct AccountSessionRevoked: Sendable, Hashable {
    public let accountID: Int64
}

extension AccountSessions {
    /// Registers the session served on `channel`: a revocation fires `AccountSessionRevoked` into
    /// its pipeline (on its event loop); the channel's closing ends the registration.
    @discardableResult
    public func register(_ account: Account, channel: any Channel) -> SessionRegistration {
        let accountID = account.id
        let registration = register(account) {
            channel.pipeline.fireUserInboundEventTriggered(AccountSessionRevoked(accountID: accountID))
        }
        channel.closeFuture.whenComplete { _ in registration.end() }
        return registration
    }
}
