import Core
import Directory
import Filter
import IMAP
import Metrics
import NIOConcurrencyHelpers
import POP3
import Policy
import Prometheus
import Queue
import SMTP
import Store

/// The listeners' own metrics (docs/metrics.md): connections by listener protocol, counted by
/// `TCPListener` and the HTTP listener's admission handler.
public enum ServerMetrics {
    public static let connectionsOpen = PostaMetric(
        "posta_connections_open", .gauge, labels: ["protocol"], help: "Client connections open now, by listener protocol.")
    public static let connections = PostaMetric(
        "posta_connections_total", .counter, labels: ["protocol"],
        help: "Client connections accepted, by listener protocol.")
    public static let connectionsRefused = PostaMetric(
        "posta_connections_refused_total", .counter, labels: ["protocol", "reason"],
        help:
            "Client connections refused by the connection limits or the allow-list, by listener protocol and reason (server_full, too_many_from_client, shutting_down, not_allowed)."
    )

    public static let all = [connectionsOpen, connections, connectionsRefused]

    static func refused(_ proto: ListenerProtocol, _ reason: RefusalReason) {
        connectionsRefused.increment(proto.rawValue, reason.metricLabel)
    }
}

extension RefusalReason {
    /// The `reason` label.
    var metricLabel: String {
        switch self {
        case .serverFull: "server_full"
        case .tooManyFromClient: "too_many_from_client"
        case .shuttingDown: "shutting_down"
        case .notAllowed: "not_allowed"
        }
    }
}

/// Posta's Prometheus exposition: every module's metrics (`catalog`), one registry for the
/// process, and the swift-metrics factory that feeds it with the catalog's help texts and
/// buckets (Prometheus' `promtool check metrics` wants a `# HELP` line for every metric).
public enum PostaMetrics {
    /// Every metric Posta defines, module by module.
    public static let catalog: [PostaMetric] =
        ServerMetrics.all + SMTPMetrics.all + QueueMetrics.all + StoreMetrics.all + PolicyMetrics.all + FilterMetrics.all
        + DirectoryMetrics.all + IMAPMetrics.all + POP3Metrics.all + DatabaseMetrics.all

    /// The process's registry: what `GET /metrics` renders.
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped = NIOLockedValueBox(false)

    /// Points the swift-metrics facade at `registry`, once per process (later calls do nothing),
    /// and creates the series without labels at zero. Only `posta serve` calls this: tests use
    /// their own registry and `PostaMetricsFactory`.
    public static func bootstrap() {
        let first = bootstrapped.withLockedValue { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        let factory = PostaMetricsFactory(registry: registry)
        MetricsSystem.bootstrap(factory)
        prime(factory: factory)
    }

    /// Creates the unlabeled series and the queue's states at zero, so that they appear in the
    /// first scrape (Prometheus' `increase()` needs a first sample).
    public static func prime(factory: any MetricsFactory) {
        for metric in catalog where metric.labels.isEmpty {
            switch metric.kind {
            case .counter: metric.increment(by: 0, factory: factory)
            case .gauge: metric.increment(by: 0, factory: factory)
            case .durationHistogram: break
            }
        }
        for state in QueueMetrics.states { QueueMetrics.messages.increment(state, by: 0, factory: factory) }
    }

    /// The exposition text of `registry` (Prometheus text format 0.0.4).
    public static func exposition(_ registry: PrometheusCollectorRegistry = registry) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }
}

/// A swift-metrics factory over a `PrometheusCollectorRegistry` that names each family's help
/// text and histogram buckets from `PostaMetrics.catalog` (swift-prometheus' own factory leaves
/// help texts empty). Names outside the catalog (a library's metrics) get a generic help text.
public struct PostaMetricsFactory: MetricsFactory {
    public let registry: PrometheusCollectorRegistry
    private let metrics: [String: PostaMetric]

    public init(registry: PrometheusCollectorRegistry, catalog: [PostaMetric] = PostaMetrics.catalog) {
        self.registry = registry
        self.metrics = Dictionary(catalog.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The family's name and help text (the whole name as `metricName`: Posta's names carry their unit).
    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: name, unitName: "", helpText: metrics[name]?.help ?? "Metric \(name) (not described by Posta).")
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: descriptor(label), labels: dimensions, buckets: [0.001, 0.01, 0.1, 1, 10, 100, 1000])
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        var buckets = PostaMetric.commandBuckets
        if case .durationHistogram(let own)? = metrics[label]?.kind { buckets = own }
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
