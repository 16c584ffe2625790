import Core

extension PostaConfig {
    /// `[filter]`.
    public var filter: FilterSettings {
        get { sections[FilterSettings.self] }
        set { sections[FilterSettings.self] = newValue }
    }
}

extension FilterSettings: ConfigSection {
    package static let name = "filter"

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> FilterSettings
    {
        var decoder = FilterSettingsDecoder(reader: reader)
        defer { reader = decoder.reader }
        return decoder.decode(entries, at: path)
    }
}

/// `[filter]` and its sub-tables.
struct FilterSettingsDecoder {
    typealias Entries = ConfigReader.Entries
    var reader: ConfigReader

    static let filterKeys = [
        "timeout", "header_checks", "blocked_extensions", "blocked_types", "trusted_networks", "skip_authenticated",
        "sender_authentication", "trusted_arc_sealers", "dmarc_whitelist",
        "mime_limit_action", "clamav", "spamassassin", "rspamd", "external",
    ]
    static let clamAVKeys = ["address", "socket", "timeout", "on_failure", "action"]
    static let spamKeys = ["timeout", "on_failure", "junk_score", "quarantine_score", "reject_score", "junk"]
    static let endpointForm = "exactly one of address (\"host:port\") and socket (a path)"

    mutating func decode(_ entries: Entries, at path: ConfigKeyPath) -> FilterSettings {
        var settings = FilterSettings()
        reader.checkKeys(entries, at: path, allowed: Self.filterKeys)
        if let value = reader.duration("timeout", in: entries, at: path, range: 1...3600) { settings.timeout = value }
        settings.headerChecks = reader.boolean("header_checks", in: entries, at: path) ?? false
        settings.skipAuthenticated = reader.boolean("skip_authenticated", in: entries, at: path) ?? false
        settings.senderAuthentication = reader.boolean("sender_authentication", in: entries, at: path) ?? false
        settings.trustedARCSealers = reader.domains("trusted_arc_sealers", in: entries, at: path)
        let whitelistForm = "an array of domain names and networks, e.g. [\"lists.example.org\", \"192.0.2.0/24\"]"
        settings.dmarcWhitelist = reader.strings("dmarc_whitelist", in: entries, at: path, expected: whitelistForm) {
            NetworkPrefix(parsing: $0) != nil || HostSyntax.isValidDNSName($0)
        }.map { $0.lowercased() }
        let extensionForm = "an array of file name extensions without the dot, e.g. [\"exe\", \"scr\"]"
        settings.blockedExtensions = reader.strings("blocked_extensions", in: entries, at: path, expected: extensionForm) {
            !$0.isEmpty && !$0.contains(".") && !$0.contains("/")
        }.map { $0.lowercased() }
        let typeForm = "an array of MIME types \"type/subtype\", e.g. [\"application/x-msdownload\"]"
        settings.blockedTypes = reader.strings("blocked_types", in: entries, at: path, expected: typeForm) {
            $0.split(separator: "/", omittingEmptySubsequences: false).count == 2 && !$0.contains(" ")
        }.map { $0.lowercased() }
        if let value = reader.choice("mime_limit_action", in: entries, at: path, allowed: FilterSettings.Action.allCases) {
            settings.mimeLimitAction = value
        }
        let networkForm = "an array of networks \"address/prefix\" or addresses, e.g. [\"10.0.0.0/8\", \"::1\"]"
        settings.trustedNetworks = reader.strings("trusted_networks", in: entries, at: path, expected: networkForm) {
            NetworkPrefix(parsing: $0) != nil
        }
        if let table = reader.table("clamav", in: entries, at: path) {
            settings.clamAV = decodeClamAV(table, at: path.appending("clamav"))
        }
        settings.spamAssassin = decodeSpamScanner(
            "spamassassin", in: entries, at: path, extra: ("user", \.user, "a spamd user name"))
        settings.rspamd = decodeSpamScanner(
            "rspamd", in: entries, at: path, extra: ("password", \.password, "a non-empty string"))
        if let table = reader.table("external", in: entries, at: path) {
            let at = path.appending("external")
            reader.checkKeys(table, at: at, allowed: ["address"])
            if let text = reader.string("address", in: table, at: at, expected: "a string \"host:port\"") {
                switch ListenAddress.parse(text) {
                case .success(let address): settings.external = .init(host: address.host, port: address.port)
                case .failure(.malformed(let reason)):
                    reader.invalid(at.appending("address"), .string(text), expected: ListenAddress.expectedForm, reason: reason)
                }
            } else if ConfigReader.value("address", in: table) == nil {
                reader.missing("address", in: at, expected: ListenAddress.expectedForm)
            }
        }
        return settings
    }

    /// A spam scanner's table: the common keys, and one optional string of its own (`extra`).
    private mutating func decodeSpamScanner<Settings: SpamScannerSettings>(
        _ name: String, in entries: Entries, at parent: ConfigKeyPath,
        extra: (key: String, field: WritableKeyPath<Settings, String?>, expected: String)
    ) -> Settings? {
        guard let table = reader.table(name, in: entries, at: parent) else { return nil }
        let at = parent.appending(name)
        reader.checkKeys(table, at: at, allowed: Self.spamKeys + ["address", "socket", extra.key])
        guard let endpoint = endpoint(table, at: at) else { return nil }
        var settings = Settings(endpoint: endpoint)
        (settings.timeout, settings.onFailure, settings.thresholds) = scannerCommon(table, at: at)
        settings[keyPath: extra.field] = reader.nonEmptyString(extra.key, in: table, at: at, expected: extra.expected)
        return settings
    }

    private mutating func decodeClamAV(_ table: Entries, at path: ConfigKeyPath) -> FilterSettings.ClamAV? {
        reader.checkKeys(table, at: path, allowed: Self.clamAVKeys)
        guard let endpoint = endpoint(table, at: path) else { return nil }
        var clamAV = FilterSettings.ClamAV(endpoint: endpoint)
        if let value = reader.duration("timeout", in: table, at: path, range: 1...3600) { clamAV.timeout = value }
        if let value = reader.choice("on_failure", in: table, at: path, allowed: FilterSettings.FailurePolicy.allCases) {
            clamAV.onFailure = value
        }
        if let value = reader.choice("action", in: table, at: path, allowed: FilterSettings.Action.allCases) {
            clamAV.action = value
        }
        return clamAV
    }

    /// `timeout`, `on_failure` and the score thresholds of a spam scanner.
    private mutating func scannerCommon(_ table: Entries, at path: ConfigKeyPath)
        -> (ConfigDuration, FilterSettings.FailurePolicy, FilterSettings.SpamThresholds)
    {
        let timeout = reader.duration("timeout", in: table, at: path, range: 1...3600) ?? .seconds(30)
        let policy =
            reader.choice("on_failure", in: table, at: path, allowed: FilterSettings.FailurePolicy.allCases) ?? .tempfail
        var thresholds = FilterSettings.SpamThresholds()
        if let value = number("junk_score", in: table, at: path) { thresholds.junk = value }
        thresholds.quarantine = number("quarantine_score", in: table, at: path)
        thresholds.reject = number("reject_score", in: table, at: path)
        if let value = reader.boolean("junk", in: table, at: path) { thresholds.junkFolder = value }
        return (timeout, policy, thresholds)
    }

    /// `address = "host:port"` or `socket = "/path"`, exactly one.
    private mutating func endpoint(_ table: Entries, at path: ConfigKeyPath) -> FilterSettings.Endpoint? {
        let address = reader.string("address", in: table, at: path, expected: "a string \"host:port\"")
        let socket = reader.nonEmptyString("socket", in: table, at: path, expected: "the path of a Unix socket")
        switch (address, socket) {
        case (let text?, nil):
            switch ListenAddress.parse(text) {
            case .success(let parsed): return .tcp(host: parsed.host, port: parsed.port)
            case .failure(.malformed(let reason)):
                reader.invalid(path.appending("address"), .string(text), expected: ListenAddress.expectedForm, reason: reason)
                return nil
            }
        case (nil, let socket?):
            return .unix(path: socket)
        case (nil, nil):
            if ConfigReader.value("address", in: table) == nil, ConfigReader.value("socket", in: table) == nil {
                reader.missing("address", in: path, expected: Self.endpointForm)
            }
            return nil
        case (_?, _?):
            reader.report(
                .invalidValue, at: path.appending("socket"), message: "expected \(Self.endpointForm), got both",
                expected: Self.endpointForm)
            return nil
        }
    }

    /// A score: an integer or a float, -1000...1000.
    private mutating func number(_ key: String, in entries: Entries, at table: ConfigKeyPath) -> Double? {
        guard let node = ConfigReader.value(key, in: entries) else { return nil }
        let expected = "a number -1000...1000, e.g. 5 or 6.5"
        let value: Double
        switch node {
        case .integer(let n): value = Double(n)
        case .float(let x): value = x
        default:
            reader.wrongType(table.appending(key), node, expected: expected)
            return nil
        }
        guard (-1000...1000).contains(value) else {
            reader.invalid(table.appending(key), node, expected: expected)
            return nil
        }
        return value
    }

}
