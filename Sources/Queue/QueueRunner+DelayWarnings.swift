import Core
import SQLKit

extension QueueRunner {
    /// Sends one delay warning (RFC 3464 `Action: delayed`) per message for its deliveries that
    /// were just deferred and have waited `Bounces.delayWarning` since the message arrived: once
    /// per delivery, only when NOTIFY asks for DELAY or is absent (RFC 3461 §4.1 leaves the
    /// default to the MTA), never for a bounce (null sender).
    func warnDelayed(_ deferred: [(ClaimedDelivery, DeliveryReply)]) async throws {
        guard let bounces, bounces.delayWarning > .zero else { return }
        let now = UnixTime.now()
        let due = deferred.filter { claim, _ in
            !claim.reversePath.isEmpty && now - claim.receivedAt >= bounces.delayWarning.components.seconds
                && (claim.notify?.contains(.delay) ?? true)
        }
        guard !due.isEmpty else { return }
        // Marked before the warning is queued: a crash in between loses a warning, never repeats one.
        let rows = due.map(\.0.rowID)
        let marked = Set(
            try await queue.database.transaction { db in
                try await db.update("queue_recipient").set("delay_warned", to: SQLBind(true))
                    .where("id", .in, SQLBind.group(rows)).where("delay_warned", .equal, SQLBind(false))
                    .returning("id").all().map { try $0.decode(column: "id", as: Int64.self) }
            })
        for (_, warned) in Dictionary(grouping: due.filter { marked.contains($0.0.rowID) }, by: \.0.messageID) {
            try await sendDSN(for: warned[0].0, failures: warned, action: .delayed, using: bounces)
        }
    }
}
