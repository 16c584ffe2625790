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
        decodeRelay(entries, at: path, into: &settings)
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
        let fileForm = "an absolute path of a file holding the password"
        if let file = reader.nonEmptyString("relay_password_file", in: entries, at: path, expected: fileForm) {
            if file.hasPrefix("/") {
                settings.relayPasswordFile = file
            } else if let node = ConfigReader.value("relay_password_file", in: entries) {
                reader.invalid(path.appending("relay_password_file"), node, expected: fileForm)
            }
        }
        if let node = ConfigReader.value("relay_user", in: entries), settings.relayUser != nil,
            settings.relayHost == nil || settings.relayPasswordFile == nil
        {
            reader.invalid(
                path.appending("relay_user"), node, expected: "relay_user together with relay_host and relay_password_file")
        }
    }
}
