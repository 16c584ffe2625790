import Core

/// `[metrics]`: who may read `GET /metrics` on the HTTP listeners, and how often the gauges read
/// from the database (queue by state, store bytes) are refreshed. The metrics tell a lot about
/// the site (traffic, logins, queue), so by default only loopback clients may read them, even on
/// an HTTP listener open to the world: a Prometheus on another host needs its network listed in
/// `allowed_clients`. Other clients get `403 Forbidden`; with `enabled = false` the path is `404`.
public struct MetricsSettings: Sendable, Equatable {
    /// Serve `/metrics` on the HTTP listeners.
    public var enabled = true
    /// The client networks that may read `/metrics`.
    public var allowedClients: [NetworkPrefix] = ListenerSettings.loopback
    /// How often the database gauges are read (queue by state, store bytes).
    public var refreshInterval: ConfigDuration = .seconds(15)

    public init() {}

    /// Whether a client at `address` may read the metrics.
    public func allows(_ address: String) -> Bool {
        let key = ClientKey(address: address, ipv6PrefixLength: 128).description  // IPv4-mapped → IPv4
        return allowedClients.contains { $0.contains(key) }
    }

    static let keys = ["enabled", "allowed_clients", "refresh_interval"]
    /// `refresh_interval` in seconds.
    static let refreshRange: ClosedRange<Int64> = 1...3600
}

extension PostaConfig {
    /// `[metrics]`.
    public var metrics: MetricsSettings {
        get { sections[MetricsSettings.self] }
        set { sections[MetricsSettings.self] = newValue }
    }
}

extension MetricsSettings: ConfigSection {
    package static let name = "metrics"

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> MetricsSettings
    {
        var settings = MetricsSettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        if let value = reader.boolean("enabled", in: entries, at: path) { settings.enabled = value }
        if ConfigReader.value("allowed_clients", in: entries) != nil {
            let form = "an array of networks \"address/prefix\" or addresses, e.g. [\"127.0.0.0/8\", \"10.0.0.0/8\"]"
            settings.allowedClients = reader.strings("allowed_clients", in: entries, at: path, expected: form) {
                NetworkPrefix(parsing: $0) != nil
            }.compactMap(NetworkPrefix.init(parsing:))
        }
        if let value = reader.duration("refresh_interval", in: entries, at: path, range: refreshRange) {
            settings.refreshInterval = value
        }
        return settings
    }
}
