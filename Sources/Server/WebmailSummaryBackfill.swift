import ServiceLifecycle
import Webmail

/// Runs the webmail's summary backfill beside the listeners until shutdown (`SummaryBackfill`).
struct WebmailSummaryBackfill: Service {
    let backfill: SummaryBackfill

    func run() async throws {
        await cancelWhenGracefulShutdown { await backfill.run() }
    }
}
