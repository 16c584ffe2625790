import Core
import Directory
import Logging
import NIOConcurrencyHelpers
import Queue
import ServiceLifecycle

/// Ends the sessions of accounts that were disabled, deleted or given a new password, whichever
/// process or node did it: every `interval` (2 s) it reads the revocations recorded in the last
/// `overlap` (a minute, so a row committed late or stamped by a node whose clock lags a little is
/// still seen) and hands them to `AccountSessions`, which closes sessions of older generations.
/// On PostgreSQL a `LISTEN` on `SessionRevocation.channel` wakes it at once; while that
/// connection is up, polling is only a safety net, every `listeningInterval` (30 s).
public struct SessionRevocationWatcher: Service {
    public let directory: Directory
    public let sessions: AccountSessions
    public let interval: Duration
    public let listeningInterval: Duration
    public let overlap: Int64
    let logger: Logger

    public init(
        directory: Directory, sessions: AccountSessions, interval: Duration = .seconds(2),
        listeningInterval: Duration = .seconds(30), overlap: Int64 = 60, logger: Logger
    ) {
        self.directory = directory
        self.sessions = sessions
        self.interval = interval
        self.listeningInterval = listeningInterval
        self.overlap = overlap
        self.logger = logger
    }

    public func run() async throws {
        let wake = WakeSignal()
        let listening = NIOLockedValueBox(false)
        let listener = directory.database.dialect == .postgres ? Task { await listen(wake, listening: listening) } : nil
        var since = UnixTime.now() - overlap
        await repeatUntilShutdown(wake: wake, every: listening.withLockedValue { $0 } ? listeningInterval : interval) {
            let started = UnixTime.now()
            if await poll(since: since) { since = started - overlap }
        }
        // Its connection is closed before the database is.
        listener?.cancel()
        await listener?.value
    }

    /// Applies the revocations recorded since `since`; false when the database could not be read.
    @discardableResult
    public func poll(since: Int64) async -> Bool {
        do {
            for revocation in try await directory.revocations(since: since) {
                let closed = sessions.revoke(accountID: revocation.accountID, generation: revocation.generation)
                if closed > 0 {
                    logger.notice(
                        "sessions ended",
                        metadata: [
                            "account": "\(revocation.accountID)", "reason": "\(revocation.reason.map { "\($0)" } ?? "unknown")",
                            "sessions": "\(closed)",
                        ])
                }
            }
            return true
        } catch {
            logger.warning("cannot read session revocations", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }

    /// Wakes the poller on each notification, reconnecting with a bounded backoff; `listening`
    /// tells whether the connection is up.
    private func listen(_ wake: WakeSignal, listening: NIOLockedValueBox<Bool>) async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            let connected = NIOLockedValueBox(false)
            do {
                try await directory.database.listen(channel: SessionRevocation.channel) {
                    connected.withLockedValue { $0 = true }
                    listening.withLockedValue { $0 = true }
                    wake.notify()
                } received: { _ in
                    wake.notify()
                }
            } catch {
                logger.warning("session revocations: LISTEN failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            // Until it is back, polling is what finds revocations (and a poll now covers the gap).
            listening.withLockedValue { $0 = false }
            wake.notify()
            if connected.withLockedValue({ $0 }) { delay = .milliseconds(100) }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }
}
