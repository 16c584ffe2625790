import Core
import Logging
import NIOConcurrencyHelpers
import SQLKit
import Store

/// Summarises, in the background, the messages stored before `webmail_summary` existed (or by a
/// store without `SummaryCompanion`): every incomplete mailbox once at start, then the ones a
/// request found incomplete, first come first served. Each batch is its own short transaction,
/// so deliveries and sessions keep their turn. Nodes sharing a database may both fill a mailbox;
/// the rows are the same and the second insert is skipped.
public final class SummaryBackfill: Sendable {
    let index: SummaryIndex
    let logger: Logger
    private let wake = WakeSignal()
    private let wanted = NIOLockedValueBox<[Int64]>([])

    public init(database: Database, store: MailStore, logger: Logger) {
        index = SummaryIndex(database: database, store: store)
        self.logger = logger
    }

    /// Asks for the mailbox to be completed soon.
    func prioritise(mailboxID: Int64) {
        let added = wanted.withLockedValue { list in
            guard !list.contains(mailboxID), list.count < 10_000 else { return false }
            list.append(mailboxID)
            return true
        }
        if added { wake.notify() }
    }

    /// Runs until the task is cancelled.
    public func run() async {
        do {
            let incomplete = try await index.incompleteMailboxes()
            if !incomplete.isEmpty {
                logger.info("summarising stored mail for webmail", metadata: ["mailboxes": "\(incomplete.count)"])
            }
            for mailboxID in incomplete where !Task.isCancelled { await complete(mailboxID) }
        } catch {
            logger.warning("webmail summary backfill could not list mailboxes", metadata: ["error": "\(error)"])
        }
        while !Task.isCancelled {
            await wake.wait(timeout: .seconds(3600))
            while !Task.isCancelled, let next = wanted.withLockedValue({ $0.isEmpty ? nil : $0.removeFirst() }) {
                await complete(next)
            }
        }
    }

    /// Fills one mailbox, a batch at a time; a failure is logged and left to the next request.
    func complete(_ mailboxID: Int64) async {
        do {
            var total = 0
            while !Task.isCancelled {
                let filled = try await index.fill(mailboxID: mailboxID, limit: SummaryIndex.batch)
                total += filled
                if filled < SummaryIndex.batch { break }
                await Task.yield()
            }
            if total > 0 {
                // Open webmail pages of the folder reload their list (IMAP IDLE sees nothing new).
                index.store.notifier.changed(mailboxID: mailboxID)
                logger.debug("webmail summaries filled", metadata: ["mailbox": "\(mailboxID)", "messages": "\(total)"])
            }
        } catch {
            logger.warning(
                "webmail summary backfill failed", metadata: ["mailbox": "\(mailboxID)", "error": "\(error)"])
        }
    }
}
