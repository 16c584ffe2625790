import Logging

/// Turns a parsed document into a `PostaConfig`, reporting every schema violation.
struct SiteDecoder {
    var reader: ConfigReader
    typealias Entries = ConfigReader.Entries

    static let topLevelKeys = [
        "hostname", "data_dir", "node_id", "log", "database", "tls", "limits", "listener",
    ]
    static let logKeys = ["format", "level"]
    static let databaseKeys = ["url", "pool_size"]
    static let tlsKeys = ["cert", "key"]
    static let limitsKeys =
        [
            "max_connections", "max_connections_per_ip", "idle_timeout", "max_message_size", "max_line_length",
            "max_recipients",
        ] + connectionLimitKeys
    static let listenerKeys =
        [
            "protocol", "address", "tls", "max_connections", "max_connections_per_ip", "idle_timeout", "filter",
        ] + listenerAccessKeys

    static let hostnameForm =
        "a DNS name like \"mx1.example.org\" (letters, digits, hyphens and dots; labels of 1...63 characters not starting or ending with a hyphen; at most 253 characters)"
    static let nodeIDForm = "1...32 characters from A-Z, a-z, 0-9 and \"-\""
    static let pathForm = "a non-empty path"

    /// nil when a required part is missing or invalid (the reader then holds the errors).
    mutating func decode(_ document: ConfigNode, configDirectory: String, sections: [any ConfigSection.Type])
        -> PostaConfig?
    {
        guard case .table(let root) = document else { return nil }
        let top = ConfigKeyPath.root
        reader.checkKeys(root, at: top, allowed: Self.topLevelKeys + sections.map { $0.name })

        // hostname
        var hostname: String?
        if let value = reader.string("hostname", in: root, at: top, expected: Self.hostnameForm) {
            if HostSyntax.isValidDNSName(value) {
                hostname = value
            } else {
                reader.invalid(top.appending("hostname"), .string(value), expected: Self.hostnameForm)
            }
        } else if ConfigReader.value("hostname", in: root) == nil {
            reader.missing("hostname", in: top, expected: Self.hostnameForm)
        }

        // data_dir
        var dataDirectory: String?
        if let value = reader.nonEmptyString("data_dir", in: root, at: top, expected: Self.pathForm) {
            dataDirectory = ConfigPaths.resolve(value, against: configDirectory)
        } else if ConfigReader.value("data_dir", in: root) == nil {
            reader.missing("data_dir", in: top, expected: "\(Self.pathForm), absolute or relative to the config file's folder")
        }

        // node_id
        var nodeID = hostname.map { String($0.prefix { $0 != "." }.prefix(32)) } ?? "posta"
        if let value = reader.string("node_id", in: root, at: top, expected: Self.nodeIDForm) {
            if Self.isValidNodeID(value) {
                nodeID = value
            } else {
                reader.invalid(top.appending("node_id"), .string(value), expected: Self.nodeIDForm)
            }
        }

        let log = decodeLog(root)
        let database = decodeDatabase(root, dataDirectory: dataDirectory ?? configDirectory)
        let tls = decodeTLS(root, dataDirectory: dataDirectory ?? configDirectory)
        let limits = decodeLimits(root)
        let indexedListeners = decodeListeners(root, limits: limits)
        checkTLSNeeded(root, listeners: indexedListeners)
        let listeners = indexedListeners.map(\.settings)

        guard let hostname, let dataDirectory, let database else { return nil }
        var config = PostaConfig(
            hostname: hostname, dataDirectory: dataDirectory, nodeID: nodeID, log: log, database: database, tls: tls,
            limits: limits, listeners: listeners)
        for section in sections { section.decode(in: root, reader: &reader, into: &config.sections) }
        return config
    }

    static func isValidNodeID(_ value: String) -> Bool {
        (1...32).contains(value.utf8.count)
            && value.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
    }

    // MARK: Sections

    mutating func decodeLog(_ root: Entries) -> LogSettings {
        var settings = LogSettings()
        let path = ConfigKeyPath.root.appending("log")
        guard let entries = reader.table("log", in: root, at: .root) else { return settings }
        reader.checkKeys(entries, at: path, allowed: Self.logKeys)
        if let format = reader.choice("format", in: entries, at: path, allowed: LogSettings.Format.allCases) {
            settings.format = format
        }
        if let level = reader.choice("level", in: entries, at: path, allowed: Logger.Level.allCases) {
            settings.level = level
        }
        return settings
    }

    /// nil only when `url` is present but invalid.
    mutating func decodeDatabase(_ root: Entries, dataDirectory: String) -> DatabaseSettings? {
        let path = ConfigKeyPath.root.appending("database")
        let entries = reader.table("database", in: root, at: .root) ?? []
        reader.checkKeys(entries, at: path, allowed: Self.databaseKeys)
        let poolSize = reader.integer("pool_size", in: entries, at: path, range: DatabaseSettings.poolSizeRange) ?? 8
        let text: String
        if ConfigReader.value("url", in: entries) != nil {
            guard let value = reader.string("url", in: entries, at: path, expected: "a string, " + DatabaseURL.expectedForm)
            else { return nil }
            text = value
        } else {
            text = DatabaseSettings.defaultURL
        }
        switch DatabaseURL.parse(text, dataDirectory: dataDirectory) {
        case .success(let url):
            return DatabaseSettings(url: url, poolSize: poolSize)
        case .failure(let problem):
            reader.invalid(path.appending("url"), .string(text), expected: DatabaseURL.expectedForm, reason: problem.reason)
            return nil
        }
    }

    mutating func decodeTLS(_ root: Entries, dataDirectory: String) -> TLSSettings? {
        let path = ConfigKeyPath.root.appending("tls")
        guard let entries = reader.table("tls", in: root, at: .root) else { return nil }
        reader.checkKeys(entries, at: path, allowed: Self.tlsKeys)
        var paths: [String] = []
        for (key, what) in [("cert", "a PEM certificate chain"), ("key", "a PEM private key")] {
            let expected = "the path of \(what), absolute or relative to data_dir"
            if let value = reader.nonEmptyString(key, in: entries, at: path, expected: expected) {
                paths.append(ConfigPaths.resolve(value, against: dataDirectory))
            } else if ConfigReader.value(key, in: entries) == nil {
                reader.missing(key, in: path, expected: expected)
            }
        }
        guard paths.count == 2 else { return nil }
        return TLSSettings(certificatePath: paths[0], keyPath: paths[1])
    }

    mutating func decodeLimits(_ root: Entries) -> Limits {
        var limits = Limits()
        let path = ConfigKeyPath.root.appending("limits")
        guard let entries = reader.table("limits", in: root, at: .root) else { return limits }
        reader.checkKeys(entries, at: path, allowed: Self.limitsKeys)
        if let v = reader.integer("max_connections", in: entries, at: path, range: Limits.maxConnectionsRange) {
            limits.maxConnections = v
        }
        if let v = reader.integer("max_connections_per_ip", in: entries, at: path, range: Limits.maxConnectionsPerIPRange) {
            limits.maxConnectionsPerIP = v
        }
        if let v = reader.duration("idle_timeout", in: entries, at: path, range: Limits.idleTimeoutRange) {
            limits.idleTimeout = v
        }
        if let v = reader.size("max_message_size", in: entries, at: path, range: Limits.maxMessageSizeRange) {
            limits.maxMessageSize = v
        }
        if let v = reader.integer("max_line_length", in: entries, at: path, range: Limits.maxLineLengthRange) {
            limits.maxLineLength = v
        }
        if let v = reader.integer("max_recipients", in: entries, at: path, range: Limits.maxRecipientsRange) {
            limits.maxRecipients = v
        }
        decodeConnectionLimits(entries, at: path, into: &limits)
        return limits
    }

    /// The valid listeners with their 0-based position in the file.
    mutating func decodeListeners(_ root: Entries, limits: Limits) -> [(index: Int, settings: ListenerSettings)] {
        guard let node = ConfigReader.value("listener", in: root) else { return [] }
        let arrayPath = ConfigKeyPath.root.appending("listener")
        guard case .array(let items) = node else {
            reader.wrongType(arrayPath, node, expected: "an array of tables ([[listener]])")
            return []
        }
        var listeners: [(index: Int, settings: ListenerSettings)] = []
        var seen: [String: (index: Int, line: Int?)] = [:]
        for (index, item) in items.enumerated() {
            let path = arrayPath.appending(index: index)
            guard case .table(let entries) = item else {
                reader.wrongType(path, item, expected: "a table ([[listener]])")
                continue
            }
            reader.checkKeys(entries, at: path, allowed: Self.listenerKeys)

            let proto = reader.choice("protocol", in: entries, at: path, allowed: ListenerProtocol.allCases)
            if ConfigReader.value("protocol", in: entries) == nil {
                reader.missing(
                    "protocol", in: path,
                    expected: "one of: " + ListenerProtocol.allCases.map(\.rawValue).joined(separator: ", "))
            }

            var address: ListenAddress?
            let addressPath = path.appending("address")
            if let text = reader.string("address", in: entries, at: path, expected: "a string, " + ListenAddress.expectedForm) {
                switch ListenAddress.parse(text) {
                case .success(let parsed):
                    address = parsed
                    let line = reader.locator.line(for: addressPath)
                    if let first = seen[parsed.identity] {
                        let firstPath = arrayPath.appending(index: first.index)
                        let at = first.line.map { " at line \($0)" } ?? ""
                        reader.report(
                            .invalidValue, at: addressPath,
                            message: "\(ConfigNode.quoted(text)) is already used by \(firstPath)\(at)",
                            expected: "an address and port no other listener uses")
                    } else {
                        seen[parsed.identity] = (index, line)
                    }
                case .failure(.malformed(let reason)):
                    reader.invalid(addressPath, .string(text), expected: ListenAddress.expectedForm, reason: reason)
                }
            } else if ConfigReader.value("address", in: entries) == nil {
                reader.missing("address", in: path, expected: ListenAddress.expectedForm)
            }

            var tls = proto?.defaultTLSMode
            if let mode = reader.choice("tls", in: entries, at: path, allowed: TLSMode.allCases), let proto {
                if proto.allowedTLSModes.contains(mode) {
                    tls = mode
                } else {
                    let expected =
                        proto.allowedTLSModes.map { "\"\($0.rawValue)\"" }.joined(separator: " or ") + " for \(proto.rawValue)"
                    reader.report(
                        .invalidValue, at: path.appending("tls"),
                        message: "expected \(expected), got \"\(mode.rawValue)\" (impossible for protocol \(proto.rawValue))",
                        expected: expected)
                    tls = nil
                }
            }

            let maxConnections =
                reader.integer("max_connections", in: entries, at: path, range: Limits.maxConnectionsRange)
                ?? limits.maxConnections
            let maxPerIP =
                reader.integer("max_connections_per_ip", in: entries, at: path, range: Limits.maxConnectionsPerIPRange)
                ?? limits.maxConnectionsPerIP
            let idle =
                reader.duration("idle_timeout", in: entries, at: path, range: Limits.idleTimeoutRange) ?? limits.idleTimeout

            let filtered = decodeListenerFilter(entries, at: path, protocol: proto)

            guard let proto, let address, let tls else { continue }
            var settings = ListenerSettings(
                protocol: proto, host: address.host, port: address.port, tls: tls, maxConnections: maxConnections,
                maxConnectionsPerIP: maxPerIP, idleTimeout: idle,
                line: reader.locator.line(for: path) ?? 0)
            settings.filter = filtered
            decodeListenerAccess(entries, at: path, limits: limits, into: &settings)
            listeners.append((index, settings))
        }
        return listeners
    }

    /// A listener using TLS needs `[tls]`: one error naming those listeners, at the first one's
    /// `tls` line (or its header line when the mode is the protocol's default).
    mutating func checkTLSNeeded(_ root: Entries, listeners: [(index: Int, settings: ListenerSettings)]) {
        guard ConfigReader.value("tls", in: root) == nil else { return }
        let needing = listeners.filter { $0.settings.tls != .none }
        guard let first = needing.first else { return }
        let names = needing.map { "listener[\($0.index)] (\($0.settings.protocol.rawValue), tls \($0.settings.tls.rawValue))" }
        let expected = "a [tls] table with cert and key"
        let firstPath = ConfigKeyPath.root.appending("listener").appending(index: first.index)
        let line = reader.locator.line(for: firstPath.appending("tls")) ?? reader.locator.line(for: firstPath)
        reader.report(
            .missingKey, at: ConfigKeyPath.root.appending("tls"),
            message: "missing [tls] table, needed by " + names.joined(separator: ", ") + " (expected \(expected))",
            expected: expected, line: line)
    }
}
