import Core
import Logging
import Queue
import ServiceLifecycle
import Store

/// Reads the gauges that come from the database every `interval` (not per scrape: a flood of
/// scrapes costs no queries): the queue's messages by state and the store's bytes and accounts.
/// Every node reads the same shared numbers; Prometheus' `max` over nodes shows them once.
public struct MetricsRefresher: Service {
    let queue: MailQueue
    let store: MailStore
    let interval: Duration
    let logger: Logger

    public init(queue: MailQueue, store: MailStore, interval: Duration, logger: Logger) {
        self.queue = queue
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval) { await refresh() }
    }

    /// One reading; a failure keeps the last values (and is logged at debug level).
    public func refresh() async {
        do {
            QueueMetrics.set(try await QueueCounts.read(queue.database))
            let usage = try await store.usageTotals()
            StoreMetrics.bytes.set(usage.bytes)
            StoreMetrics.accounts.set(usage.accounts)
        } catch {
            logger.debug("metrics refresh failed", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
