extension SiteDecoder {
    /// The outbound keys of `[delivery]`: connection limits, TLS policy, timeouts, delay warnings.
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
        decodeRelay(entries, at: path, into: &settings)
        decodeTimeouts(entries, at: path, into: &settings.timeouts)
        settings.requireTLS = domains("require_tls", in: entries, at: path)
        settings.verifyTLS = domains("verify_tls", in: entries, at: path)
        settings.tlsCAFile = absolutePath(
            "tls_ca_file", in: entries, at: path, expected: "an absolute path of a PEM file of CA certificates")
    }

    /// An array of DNS names, lower-cased (`require_tls`, `verify_tls`).
    mutating func domains(_ key: String, in entries: Entries, at path: ConfigKeyPath) -> [String] {
        let form = "an array of domain names, e.g. [\"example.com\"]"
        return strings(key, in: entries, at: path, expected: form, valid: HostSyntax.isValidDNSName).map { $0.lowercased() }
    }

    /// A non-empty string starting with "/"; nil (with the error) otherwise.
    mutating func absolutePath(_ key: String, in entries: Entries, at path: ConfigKeyPath, expected: String) -> String? {
        guard let file = reader.nonEmptyString(key, in: entries, at: path, expected: expected) else { return nil }
        guard file.hasPrefix("/") else {
            if let node = ConfigReader.value(key, in: entries) { reader.invalid(path.appending(key), node, expected: expected) }
            return nil
        }
        return file
    }

    /// `smtp_*_timeout`: 1s...1h each.
    mutating func decodeTimeouts(_ entries: Entries, at path: ConfigKeyPath, into timeouts: inout DeliverySettings.SMTPTimeouts) {
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
    mutating func decodeRelay(_ entries: Entries, at path: ConfigKeyPath, into settings: inout DeliverySettings) {
        let hostForm = "\"host:port\", \"IPv4:port\" or \"[IPv6]:port\""
        if let text = reader.nonEmptyString("relay_host", in: entries, at: path, expected: hostForm) {
            if case .success(let address) = ListenAddress.parse(text) {
                settings.relayHost = .init(host: address.host, port: address.port)
            } else if let node = ConfigReader.value("relay_host", in: entries) {
                reader.invalid(path.appending("relay_host"), node, expected: hostForm)
            }
        }
        settings.relayUser = reader.nonEmptyString("relay_user", in: entries, at: path, expected: "a user name")
        settings.relayPasswordFile = absolutePath(
            "relay_password_file", in: entries, at: path, expected: "an absolute path of a file holding the password")
        if let node = ConfigReader.value("relay_user", in: entries), settings.relayUser != nil,
            settings.relayHost == nil || settings.relayPasswordFile == nil
        {
            reader.invalid(
                path.appending("relay_user"), node, expected: "relay_user together with relay_host and relay_password_file")
        }
    }
}
