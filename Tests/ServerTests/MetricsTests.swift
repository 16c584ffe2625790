import Core
import Directory
import Filter
import IMAP
import Metrics
import POP3
import Policy
import PostaTestSupport
import Prometheus
import Queue
import SMTP
import Server
import Store
import Testing

/// The metrics as Prometheus reads them: each test renders its own registry (never the process's
/// global facade, which other tests running at the same time would move).
@Suite("Metrics: definitions and exposition")
struct MetricsExpositionTests {
    let registry = PrometheusCollectorRegistry()
    var factory: PostaMetricsFactory { PostaMetricsFactory(registry: registry) }
    var text: String { String(decoding: PostaMetrics.exposition(registry), as: UTF8.self) }

    @Test func countersRenderWithHelpTypeAndLabels() {
        SMTPMetrics.replies.increment("mx", PostaMetric.codeClass(250), factory: factory)
        SMTPMetrics.replies.increment("mx", PostaMetric.codeClass(250), factory: factory)
        SMTPMetrics.replies.increment("submission", PostaMetric.codeClass(535), factory: factory)
        DirectoryMetrics.authentications.increment("imap", "success", factory: factory)
        SMTPMetrics.receivedBytes.increment("mx", by: 1234, factory: factory)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("# HELP posta_smtp_replies_total \(SMTPMetrics.replies.help)"))
        #expect(lines.contains("# TYPE posta_smtp_replies_total counter"))
        #expect(lines.contains(#"posta_smtp_replies_total{mode="mx",class="2xx"} 2"#))
        #expect(lines.contains(#"posta_smtp_replies_total{mode="submission",class="5xx"} 1"#))
        #expect(lines.contains(#"posta_authentications_total{protocol="imap",result="success"} 1"#))
        #expect(lines.contains(#"posta_smtp_received_bytes_total{mode="mx"} 1234"#))
    }

    @Test func gaugesGoUpAndDownAndAreSet() {
        IMAPMetrics.idleSessions.increment(factory: factory)
        IMAPMetrics.idleSessions.increment(factory: factory)
        IMAPMetrics.idleSessions.decrement(factory: factory)
        QueueMetrics.messages.set(1734, "deferred", factory: factory)
        ServerMetrics.connectionsOpen.increment("smtp", factory: factory)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("# TYPE posta_imap_idle_sessions gauge"))
        #expect(lines.contains("posta_imap_idle_sessions 1.0") || lines.contains("posta_imap_idle_sessions 1"))
        #expect(
            lines.contains(#"posta_queue_messages{state="deferred"} 1734.0"#)
                || lines.contains(#"posta_queue_messages{state="deferred"} 1734"#))
        #expect(lines.contains { $0.hasPrefix(#"posta_connections_open{protocol="smtp"} 1"#) })
    }

    @Test func histogramsUseSecondsAndTheirOwnBuckets() {
        QueueMetrics.latency.observe(.seconds(90), "local", factory: factory)
        IMAPMetrics.commandDuration.observe(.milliseconds(3), "FETCH", factory: factory)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("# TYPE posta_delivery_latency_seconds histogram"))
        // 90 s falls in the 300 s bucket, not the 60 s one (the buckets are cumulative).
        #expect(lines.contains(#"posta_delivery_latency_seconds_bucket{destination="local",le="60.0"} 0"#))
        #expect(lines.contains(#"posta_delivery_latency_seconds_bucket{destination="local",le="300.0"} 1"#))
        #expect(lines.contains(#"posta_delivery_latency_seconds_count{destination="local"} 1"#))
        #expect(lines.contains(#"posta_delivery_latency_seconds_sum{destination="local"} 90.0"#))
        #expect(lines.contains(#"posta_imap_command_duration_seconds_bucket{command="FETCH",le="0.005"} 1"#))
    }

    @Test func primingShowsEveryUnlabeledSeriesAtZero() {
        PostaMetrics.prime(factory: factory)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("posta_messages_delivered_total 0"))
        #expect(lines.contains { $0.hasPrefix(#"posta_queue_messages{state="held"} 0"#) })
        #expect(lines.contains { $0.hasPrefix("posta_store_bytes 0") })
        // Every family has a help text (promtool check metrics insists).
        let families = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        for family in families { #expect(lines.contains { $0.hasPrefix("# HELP \(family) ") }, "\(family)") }
        #expect(!families.isEmpty)
    }

    @Test func catalogFollowsPrometheusNaming() {
        let names = PostaMetrics.catalog.map(\.name)
        #expect(Set(names).count == names.count, "a name is defined twice")
        for metric in PostaMetrics.catalog {
            #expect(metric.name.hasPrefix("posta_"), "\(metric.name)")
            #expect(!metric.help.isEmpty, "\(metric.name)")
            switch metric.kind {
            case .counter: #expect(metric.name.hasSuffix("_total"), "\(metric.name)")
            case .durationHistogram: #expect(metric.name.hasSuffix("_seconds"), "\(metric.name)")
            case .gauge: #expect(!metric.name.hasSuffix("_total"), "\(metric.name)")
            }
            // Bounded labels only: nothing that names a person, an address or a host.
            for label in metric.labels {
                #expect(!["user", "account", "ip", "client", "address", "domain", "sender", "recipient"].contains(label))
            }
        }
    }
}

@Suite("Metrics: bounded label values")
struct MetricsLabelTests {
    @Test func imapCommandNames() {
        #expect(IMAPMetrics.commandName(Array("a1 FETCH 1:* (FLAGS)\r\n".utf8)) == "FETCH")
        #expect(IMAPMetrics.commandName(Array("a2 uid fetch 1 BODY[]\r\n".utf8)) == "UID FETCH")
        #expect(IMAPMetrics.commandName(Array("a3 login alice secret\r\n".utf8)) == "LOGIN")
        #expect(IMAPMetrics.commandName(Array("a4 noop\r\n".utf8)) == "NOOP")
        #expect(IMAPMetrics.commandName(Array("a5 XYZZY-\(String(repeating: "A", count: 500))\r\n".utf8)) == "other")
        #expect(IMAPMetrics.commandName(Array("a6 UID BOGUS 1\r\n".utf8)) == "other")
        #expect(IMAPMetrics.commandName([]) == "other")
    }

    @Test func pop3CommandNames() {
        #expect(POP3Metrics.commandName(Array("retr 1\r\n".utf8)) == "RETR")
        #expect(POP3Metrics.commandName(Array("STAT\r\n".utf8)) == "STAT")
        #expect(POP3Metrics.commandName(Array("dGVzdAB0ZXN0AHRlc3Q=\r\n".utf8)) == "other")
        #expect(POP3Metrics.commandName(Array("\r\n".utf8)) == "other")
    }

    @Test func codeClassesAndBoundedValues() {
        #expect(PostaMetric.codeClass(250) == "2xx")
        #expect(PostaMetric.codeClass(354) == "3xx")
        #expect(PostaMetric.codeClass(451) == "4xx")
        #expect(PostaMetric.codeClass(550) == "5xx")
        #expect(PostaMetric.codeClass(999) == "other")
        #expect(PostaMetric.bounded("imap", in: ["imap"]) == "imap")
        #expect(PostaMetric.bounded("alice@example.org", in: ["imap"]) == "other")
    }
}

@Suite("Config: [metrics]")
struct MetricsSettingsTests {
    @Test func defaultsServeLoopbackOnly() throws {
        let config = try #require(parsedConfig(configHeader + "\n", sections: PostaConfig.siteSections))
        #expect(config.metrics.enabled)
        #expect(config.metrics.refreshInterval == .seconds(15))
        #expect(config.metrics.allows("127.0.0.1"))
        #expect(config.metrics.allows("127.1.2.3"))
        #expect(config.metrics.allows("::1"))
        #expect(config.metrics.allows("::ffff:127.0.0.1"))
        #expect(!config.metrics.allows("10.1.2.3"))
        #expect(!config.metrics.allows("2001:db8::1"))
        #expect(!config.metrics.allows("unknown"))
    }

    @Test func allowedClientsReplaceTheDefault() throws {
        let text = configHeader + "\n[metrics]\nallowed_clients = [\"10.0.0.0/8\", \"127.0.0.2/32\"]\nrefresh_interval = \"1m\"\n"
        let config = try #require(parsedConfig(text, sections: PostaConfig.siteSections))
        #expect(config.metrics.allows("10.9.8.7"))
        #expect(config.metrics.allows("127.0.0.2"))
        #expect(!config.metrics.allows("127.0.0.1"))
        #expect(config.metrics.refreshInterval == .minutes(1))
    }

    @Test func badValuesAreErrorsWithTheirLine() throws {
        let network = try #require(
            singleError(configHeader + "\n[metrics]\nallowed_clients = [\"10.0.0.0/33\"]\n", sections: PostaConfig.siteSections))
        #expect(network.line == 4)
        #expect(network.key == "metrics.allowed_clients")
        let interval = try #require(
            singleError(
                configHeader + "\n[metrics]\nenabled = true\nrefresh_interval = \"0s\"\n", sections: PostaConfig.siteSections))
        #expect(interval.line == 5)
        let unknown = try #require(singleError(configHeader + "\n[metrics]\nallow = []\n", sections: PostaConfig.siteSections))
        #expect(unknown.line == 4)
    }
}
