import Core
import SQLKit

/// The queue's metrics (docs/metrics.md): delivery outcomes per recipient, counted where the
/// runner records them (`QueueRunner.record`), the delivery latency, and the queue's size by
/// state, which `posta serve` reads from the database every few seconds (`stateCounts`).
public enum QueueMetrics {
    public static let delivered = PostaMetric(
        "posta_messages_delivered_total", .counter,
        help: "Recipients of queued messages delivered into a local mailbox.")
    public static let relayed = PostaMetric(
        "posta_messages_relayed_total", .counter,
        help: "Recipients of queued messages accepted by a remote server (or the external content filter).")
    public static let bounced = PostaMetric(
        "posta_messages_bounced_total", .counter, labels: ["destination"],
        help: "Recipients whose delivery failed for good (a bounce is sent), by destination (local, remote).")
    public static let deferred = PostaMetric(
        "posta_messages_deferred_total", .counter, labels: ["destination"],
        help: "Delivery attempts that failed temporarily and will be retried, by destination (local, remote).")
    public static let latency = PostaMetric(
        "posta_delivery_latency_seconds", .durationHistogram(buckets: latencyBuckets), labels: ["destination"],
        help: "Time from queueing to successful delivery of one recipient, by destination (local, remote).")
    public static let messages = PostaMetric(
        "posta_queue_messages", .gauge, labels: ["state"],
        help:
            "Messages in the queue by state: active (no failed attempt yet), deferred (a recipient waits for a retry), held, failed (awaiting its bounce)."
    )

    public static let all = [delivered, relayed, bounced, deferred, latency, messages]

    /// Queued → delivered: seconds to days.
    static let latencyBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(60), .seconds(300),
        .seconds(900), .seconds(3600), .seconds(4 * 3600), .seconds(86400), .seconds(5 * 86400),
    ]

    /// The states of `messages`, in the order `stateCounts` returns them.
    public static let states = ["active", "deferred", "held", "failed"]

    /// One attempt's outcome for one recipient.
    static func outcome(_ kind: QueuedDelivery.Kind, _ status: DeliveryStatus, receivedAt: Int64, now: Int64) {
        let destination = kind == .local ? "local" : "remote"
        switch status {
        case .delivered:
            (kind == .local ? delivered : relayed).increment()
            latency.observe(.seconds(max(0, now - receivedAt)), destination)
        case .failed, .bounced: bounced.increment(destination)
        case .pending: deferred.increment(destination)
        }
    }
}

extension MailQueue {
    /// Messages by state (`QueueMetrics.states`): held messages count as held whatever their
    /// recipients; of the others, one with a recipient awaiting its bounce is failed, one with a
    /// pending recipient that was tried before is deferred, and the rest are active.
    public func stateCounts() async throws -> [String: Int64] {
        try await database.snapshot { db in
            let total = try await Self.count(db, "SELECT COUNT(*) AS n FROM queue_message")
            let held = try await Self.count(db, "SELECT COUNT(*) AS n FROM queue_message WHERE held = \(bind: true)")
            let failed = try await Self.count(
                db,
                """
                SELECT COUNT(DISTINCT r.message_id) AS n FROM queue_recipient r JOIN queue_message m ON m.id = r.message_id
                WHERE m.held = \(bind: false) AND r.status = 'failed'
                """)
            let deferred = try await Self.count(
                db,
                """
                SELECT COUNT(DISTINCT r.message_id) AS n FROM queue_recipient r JOIN queue_message m ON m.id = r.message_id
                WHERE m.held = \(bind: false) AND r.status = 'pending' AND r.attempts > 0
                  AND r.message_id NOT IN (SELECT message_id FROM queue_recipient WHERE status = 'failed')
                """)
            return [
                "active": max(0, total - held - failed - deferred), "deferred": deferred, "held": held, "failed": failed,
            ]
        }
    }

    private static func count(_ db: any SQLDatabase, _ sql: SQLQueryString) async throws -> Int64 {
        try await db.raw(sql).first().map { try $0.decode(column: "n", as: Int64.self) } ?? 0
    }
}
