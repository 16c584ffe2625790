import Core
import Logging
import ServiceLifecycle
import Store

/// Enforces `[store] undelete_retention`: once at start, then every `interval`
/// (`[store] sweep_interval`), kept messages older than the retention are removed for good and
/// their space freed (`MailStore.purgeDeleted`). Any node may run it; rows go before files.
///
/// On SQLite it also wakes the IDLE sessions of mailboxes that another process (`posta undelete
/// restore`) restored messages into: every `pollInterval` it reads the restores of the last
/// `overlap` seconds. PostgreSQL needs no polling: the store's notifier reaches every process.
public struct UndeletePurge: Service {
    public let store: MailStore
    public let interval: Duration
    public let pollInterval: Duration
    public let overlap: Int64
    let logger: Logger

    public init(
        store: MailStore, interval: Duration, pollInterval: Duration = .seconds(2), overlap: Int64 = 10, logger: Logger
    ) {
        self.store = store
        self.interval = interval
        self.pollInterval = pollInterval
        self.overlap = overlap
        self.logger = logger
    }

    public func run() async throws {
        let polling = store.database.dialect == .sqlite
        let clock = ContinuousClock()
        var lastPurge: ContinuousClock.Instant?
        var since = UnixTime.now() - overlap
        await repeatUntilShutdown(every: polling ? min(pollInterval, interval) : interval) {
            if polling {
                let started = UnixTime.now()
                if await notifyRestores(since: since) { since = started - overlap }
            }
            if lastPurge.map({ clock.now - $0 >= interval }) ?? true {
                lastPurge = clock.now
                await purgeOnce()
            }
        }
    }

    /// One purge; a failure is logged and the next one tries again.
    public func purgeOnce() async {
        do {
            try await store.purgeDeleted(retention: store.undeleteRetention)  // logs what it removed
        } catch {
            logger.warning("undelete purge failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }

    /// Notifies the watchers of mailboxes restored into since `since`; false when the database
    /// could not be read.
    func notifyRestores(since: Int64) async -> Bool {
        do {
            for mailboxID in try await store.restoredMailboxes(since: since) { store.notifier.changed(mailboxID: mailboxID) }
            return true
        } catch {
            logger.warning("undelete restore poll failed", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }
}
