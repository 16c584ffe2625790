import Logging
import ServiceLifecycle
import Store

/// Removes message files that no index row names (left by a crash between writing a file and
/// committing its row): once at start, then every `interval` (`[store] sweep_interval`), files
/// older than `age` (`[store] orphan_age`). Any node may run it: the files it removes are ones no
/// node's index refers to.
public struct OrphanSweep: Service {
    public let store: MailStore
    public let age: Duration
    public let interval: Duration
    let logger: Logger

    public init(store: MailStore, age: Duration, interval: Duration, logger: Logger) {
        self.store = store
        self.age = age
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) { await sweepOnce() }
    }

    /// One sweep; a failure is logged and the next one tries again.
    public func sweepOnce() async {
        do {
            try await store.sweepOrphans(olderThan: age)  // logs what it removed
        } catch {
            logger.warning("orphan sweep failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
