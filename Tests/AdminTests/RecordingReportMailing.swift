import Admin
import Foundation

/// A `ReportMailing` that records the summaries asked for and answers like the site's ledger:
/// each day once unless `again`. DMARC and TLS reports queue nothing.
final class RecordingReportMailing: ReportMailing, @unchecked Sendable {
    private let lock = NSLock()
    private var sent: Set<Int64> = []
    private var recorded: [(day: Int64, again: Bool)] = []

    /// Every `queueSummary` call, in order.
    var calls: [(day: Int64, again: Bool)] { lock.withLock { recorded } }

    func queueDMARCReports(periodStart: Int64) async throws -> [QueuedReport] { [] }
    func queueTLSReports(periodStart: Int64) async throws -> [QueuedReport] { [] }

    func queueSummary(day: Int64, again: Bool) async throws -> Bool {
        lock.withLock {
            recorded.append((day, again))
            return sent.insert(day).inserted || again
        }
    }
}
