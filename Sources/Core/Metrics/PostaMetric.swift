import Metrics

/// One Prometheus metric of Posta, described once: its name (`posta_` prefix, `_total` for
/// counters, base units seconds and bytes), its help text, its kind and its label names. Each
/// module keeps its metrics in one place (`SMTPMetrics`, `QueueMetrics`, …) as `PostaMetric`
/// values and calls them in one line where the event happens; `posta serve` hands every module's
/// list to the exposition (Server's `PostaMetrics`), which takes help texts and buckets from here.
///
/// Values go through the swift-metrics facade (`MetricsSystem.factory`, the no-op factory until
/// `posta serve` bootstraps Prometheus); tests pass their own `factory`. Label values must come
/// from small fixed sets (never a user, an address, a domain or an IP address): callers map
/// anything else to `other` (`bounded(_:in:)`).
public struct PostaMetric: Sendable, Hashable {
    /// What kind of series the metric is.
    public enum Kind: Sendable, Hashable {
        /// Only goes up (`_total`).
        case counter
        /// Goes up and down, or is set to a value.
        case gauge
        /// A histogram of durations in seconds, with these bucket upper bounds.
        case durationHistogram(buckets: [Duration])
    }

    public let name: String
    public let help: String
    public let kind: Kind
    /// The label names every observation gives, in order.
    public let labels: [String]

    public init(_ name: String, _ kind: Kind, labels: [String] = [], help: String) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
    }

    /// Pairs `values` with the label names (missing values become `other`).
    func dimensions(_ values: [String]) -> [(String, String)] {
        labels.enumerated().map { index, label in (label, index < values.count ? values[index] : "other") }
    }

    /// Adds `amount` to a counter (or a gauge).
    public func increment(_ values: String..., by amount: Int64 = 1, factory: (any MetricsFactory)? = nil) {
        meterOrCounter(values, factory: factory, amount: amount)
    }

    /// Subtracts one from a gauge.
    public func decrement(_ values: String..., factory: (any MetricsFactory)? = nil) {
        meterOrCounter(values, factory: factory, amount: -1)
    }

    /// Sets a gauge.
    public func set(_ value: Int64, _ values: String..., factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        Meter(label: name, dimensions: dimensions(values), factory: factory).set(value)
    }

    /// Records one duration into a histogram.
    public func observe(_ duration: Duration, _ values: String..., factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        Timer(label: name, dimensions: dimensions(values), factory: factory).recordNanoseconds(max(0, nanoseconds))
    }

    private func meterOrCounter(_ values: [String], factory: (any MetricsFactory)?, amount: Int64) {
        let factory = factory ?? MetricsSystem.factory
        switch kind {
        case .counter:
            Counter(label: name, dimensions: dimensions(values), factory: factory).increment(by: max(0, amount))
        case .gauge:
            let meter = Meter(label: name, dimensions: dimensions(values), factory: factory)
            if amount >= 0 { meter.increment(by: Double(amount)) } else { meter.decrement(by: Double(-amount)) }
        case .durationHistogram:
            break
        }
    }

    /// `value` when it is one of `known`, else `other`: keeps a label's values a fixed set.
    public static func bounded(_ value: String, in known: Set<String>) -> String {
        known.contains(value) ? value : "other"
    }

    /// The class of a reply code: `2xx`, `3xx`, `4xx`, `5xx` (else `other`).
    public static func codeClass(_ code: Int) -> String {
        (200..<600).contains(code) ? "\(code / 100)xx" : "other"
    }

    /// Buckets for protocol command latencies: 1 ms to 30 s.
    public static let commandBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
}

/// Times one protocol command in an adapter: `start` when a command arrives, `finish` when its
/// answer is complete (or the next command arrives); the command's name is counted at `start`.
public struct CommandTimer: Sendable {
    private var running: (name: String, since: ContinuousClock.Instant)?

    public init() {}

    /// Counts `name` in `counter` and starts timing it (finishing one still running).
    public mutating func start(_ name: String, counter: PostaMetric, histogram: PostaMetric) {
        finish(histogram)
        counter.increment(name)
        running = (name, ContinuousClock.now)
    }

    /// Records the running command's duration, if any.
    public mutating func finish(_ histogram: PostaMetric) {
        guard let running else { return }
        self.running = nil
        histogram.observe(ContinuousClock.now - running.since, running.name)
    }
}

/// Core's own metrics: the database pool.
public enum DatabaseMetrics {
    public static let databaseConnectionsInUse = PostaMetric(
        "posta_database_connections_in_use", .gauge,
        help: "Database connections of the pool taken by a query or transaction now.")
    public static let databasePoolSize = PostaMetric(
        "posta_database_pool_size", .gauge, help: "The most connections the database pool opens.")

    public static let all = [databaseConnectionsInUse, databasePoolSize]
}
