extension SiteDecoder {
    /// The outbound keys of `[delivery]`: connection limits, required TLS, delay warnings.
    mutating func decodeOutbound(_ entries: Entries, at path: ConfigKeyPath, into settings: inout DeliverySettings) {
        if let value = reader.integer("max_connections", in: entries, at: path, range: 1...10_000) {
            settings.maxConnections = Int(value)
        }
        if let value = reader.integer("max_connections_per_domain", in: entries, at: path, range: 1...1000) {
            settings.maxConnectionsPerDomain = Int(value)
        }
        if let value = reader.duration("delay_warning", in: entries, at: path, range: 0...(7 * 86400)) {
            settings.delayWarning = value
        }
        let form = "an array of domain names, e.g. [\"example.com\"]"
        if let node = ConfigReader.value("require_tls", in: entries) {
            guard case .array(let items) = node else {
                reader.wrongType(path.appending("require_tls"), node, expected: form)
                return
            }
            for item in items {
                guard case .string(let name) = item, HostSyntax.isValidDNSName(name) else {
                    reader.invalid(path.appending("require_tls"), item, expected: form)
                    continue
                }
                settings.requireTLS.append(name.lowercased())
            }
        }
    }
}
