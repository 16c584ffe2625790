import Core
import SQLKit

/// The queue's metrics (docs/metrics.md): delivery outcomes per recipient, counted where the
/// runner records them (`QueueRunner.record`), the delivery latency, and the queue's size by
/// state, which `posta serve` reads from the database every few seconds (`QueueCounts`).
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
            "Messages in the queue by state: active (no failed attempt yet), deferred (a recipient waits for a retry), held, other (nothing left to try: a bounce being written, deliveries being recorded)."
    )

    public static let all = [delivered, relayed, bounced, deferred, latency, messages]

    /// Queued → delivered: seconds to days.
    static let latencyBuckets: [Duration] = [
        .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(60), .seconds(300),
        .seconds(900), .seconds(3600), .seconds(4 * 3600), .seconds(86400), .seconds(5 * 86400),
    ]

    /// The states of `messages`: `QueueCounts`'s.
    public static let states = ["active", "deferred", "held", "other"]

    /// Sets the `messages` gauge.
    public static func set(_ counts: QueueCounts) {
        messages.set(Int64(counts.active), "active")
        messages.set(Int64(counts.deferred), "deferred")
        messages.set(Int64(counts.held), "held")
        messages.set(Int64(counts.other), "other")
    }

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
