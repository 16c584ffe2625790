import Core

extension PostaConfig {
    /// `[delivery]`.
    public var delivery: DeliverySettings {
        get { sections[DeliverySettings.self] }
        set { sections[DeliverySettings.self] = newValue }
    }
}

/// `[delivery]` (docs/config.md): retries and expiry, DNS servers, outbound connections, TLS policy,
/// SMTP client timeouts, a smarthost.
extension DeliverySettings: ConfigSection {
    package static let name = "delivery"

    static let keys = [
        "nameservers", "smtp_port", "retry_first", "retry_max", "expiry", "max_connections", "max_connections_per_domain",
        "require_tls", "delay_warning", "relay_host", "relay_user", "relay_password_file", "verify_tls", "tls_ca_file",
        "smtp_connect_timeout", "smtp_greeting_timeout", "smtp_command_timeout", "smtp_data_init_timeout",
        "smtp_data_block_timeout", "smtp_data_done_timeout", "dnssec", "queue_lease",
    ]

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> DeliverySettings
    {
        reader.checkKeys(entries, at: path, allowed: keys)
        var settings = DeliverySettings()
        settings.smtpPort = Int(reader.integer("smtp_port", in: entries, at: path, range: 1...65535) ?? 25)
        let week: Int64 = 7 * 86400
        if let value = reader.duration("retry_first", in: entries, at: path, range: 1...week) { settings.retryFirst = value }
        if let value = reader.duration("retry_max", in: entries, at: path, range: 1...week) { settings.retryMaximum = value }
        if let value = reader.duration("expiry", in: entries, at: path, range: 60...(4 * week)) { settings.expiry = value }
        if let value = reader.duration("queue_lease", in: entries, at: path, range: 6...3600) { settings.queueLease = value }
        decodeOutbound(entries, at: path, reader: &reader, into: &settings)
        let form = "an array of \"address:port\" strings, e.g. [\"127.0.0.1:53\"]"
        if let node = ConfigReader.value("nameservers", in: entries) {
            guard case .array(let items) = node else {
                reader.wrongType(path.appending("nameservers"), node, expected: form)
                return settings
            }
            for item in items {
                guard case .string(let text) = item, case .success(let address) = ListenAddress.parse(text) else {
                    reader.invalid(path.appending("nameservers"), item, expected: form)
                    continue
                }
                settings.nameservers.append(.init(host: address.host, port: address.port))
            }
        }
        decodeDNSSEC(entries, at: path, reader: &reader, into: &settings)
        return settings
    }

    /// The outbound keys of `[delivery]`: connection limits, TLS policy, timeouts, delay warnings.
    private static func decodeOutbound(
        _ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader, into settings: inout DeliverySettings
    ) {
        if let value = reader.integer("max_connections", in: entries, at: path, range: 1...10_000) {
            settings.maxConnections = Int(value)
        }
        if let value = reader.integer("max_connections_per_domain", in: entries, at: path, range: 1...1000) {
            settings.maxConnectionsPerDomain = Int(value)
        }
        if let value = reader.duration("delay_warning", in: entries, at: path, range: 0...(7 * 86400)) {
            settings.delayWarning = value
        }
        decodeRelay(entries, at: path, reader: &reader, into: &settings)
        decodeTimeouts(entries, at: path, reader: &reader, into: &settings.timeouts)
        settings.requireTLS = reader.domains("require_tls", in: entries, at: path)
        settings.verifyTLS = reader.domains("verify_tls", in: entries, at: path)
        settings.tlsCAFile = reader.absolutePath(
            "tls_ca_file", in: entries, at: path, expected: "an absolute path of a PEM file of CA certificates")
    }

    /// `dnssec`: only with `nameservers` that are all loopback addresses, since the AD bit is
    /// only worth what the path to the resolver is (RFC 6698 §4.1, RFC 7672 §2.1.1).
    private static func decodeDNSSEC(
        _ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader, into settings: inout DeliverySettings
    ) {
        guard reader.boolean("dnssec", in: entries, at: path) == true, let node = ConfigReader.value("dnssec", in: entries)
        else { return }
        let onLoopback = settings.nameservers.allSatisfy { server in
            server.host == "::1" || (server.host.hasPrefix("127.") && server.host.split(separator: ".").count == 4)
        }
        guard !settings.nameservers.isEmpty, onLoopback else {
            reader.invalid(
                path.appending("dnssec"), node,
                expected: "true only with nameservers that are validating resolvers on loopback (127.0.0.0/8, ::1)")
            return
        }
        settings.dnssec = true
    }

    /// `smtp_*_timeout`: 1s...1h each.
    private static func decodeTimeouts(
        _ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader,
        into timeouts: inout DeliverySettings.SMTPTimeouts
    ) {
        let keys: [(String, WritableKeyPath<DeliverySettings.SMTPTimeouts, ConfigDuration>)] = [
            ("smtp_connect_timeout", \.connect), ("smtp_greeting_timeout", \.greeting), ("smtp_command_timeout", \.command),
            ("smtp_data_init_timeout", \.dataInit), ("smtp_data_block_timeout", \.dataBlock),
            ("smtp_data_done_timeout", \.dataDone),
        ]
        for (key, field) in keys {
            if let value = reader.duration(key, in: entries, at: path, range: 1...3600) { timeouts[keyPath: field] = value }
        }
    }

    /// `relay_host`, `relay_user`, `relay_password_file`: a user needs a host and a password file.
    private static func decodeRelay(
        _ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader, into settings: inout DeliverySettings
    ) {
        let hostForm = "\"host:port\", \"IPv4:port\" or \"[IPv6]:port\""
        if let text = reader.nonEmptyString("relay_host", in: entries, at: path, expected: hostForm) {
            if case .success(let address) = ListenAddress.parse(text) {
                settings.relayHost = .init(host: address.host, port: address.port)
            } else if let node = ConfigReader.value("relay_host", in: entries) {
                reader.invalid(path.appending("relay_host"), node, expected: hostForm)
            }
        }
        settings.relayUser = reader.nonEmptyString("relay_user", in: entries, at: path, expected: "a user name")
        settings.relayPasswordFile = reader.absolutePath(
            "relay_password_file", in: entries, at: path, expected: "an absolute path of a file holding the password")
        if let node = ConfigReader.value("relay_user", in: entries), settings.relayUser != nil,
            settings.relayHost == nil || settings.relayPasswordFile == nil
        {
            reader.invalid(
                path.appending("relay_user"), node, expected: "relay_user together with relay_host and relay_password_file")
        }
    }
}
