/// The connection limits of `[limits]` and `[[listener]]` beyond counts and idle time: login
/// timeout, commands before login, IPv6 client prefix, per-class budgets, client allow-lists.
extension SiteDecoder {
    static let connectionLimitKeys =
        ["login_timeout", "max_commands_before_login", "ipv6_prefix_length"]
        + ListenerClass.allCases.map { "max_connections_\($0.rawValue)" }
    static let listenerAccessKeys = ["login_timeout", "allowed_clients"]

    mutating func decodeConnectionLimits(_ entries: Entries, at path: ConfigKeyPath, into limits: inout Limits) {
        if let v = reader.duration("login_timeout", in: entries, at: path, range: Limits.loginTimeoutRange) {
            limits.loginTimeout = v
        }
        if let v = reader.integer("max_commands_before_login", in: entries, at: path, range: Limits.maxCommandsBeforeLoginRange) {
            limits.maxCommandsBeforeLogin = v
        }
        if let v = reader.integer("ipv6_prefix_length", in: entries, at: path, range: Limits.ipv6PrefixLengthRange) {
            limits.ipv6PrefixLength = v
        }
        for listenerClass in ListenerClass.allCases {
            let key = "max_connections_\(listenerClass.rawValue)"
            if let v = reader.integer(key, in: entries, at: path, range: Limits.maxConnectionsRange) {
                limits.classBudgets[listenerClass] = v
            }
        }
    }

    /// `login_timeout` and `allowed_clients` of one listener; policy, LMTP and re-injection listeners
    /// (`filter = false`) admit loopback clients only unless `allowed_clients` says otherwise (they
    /// serve other software of the site, RFC 2033 §1: LMTP is not for wide-area networks).
    mutating func decodeListenerAccess(
        _ entries: Entries, at path: ConfigKeyPath, limits: Limits, into settings: inout ListenerSettings
    ) {
        settings.loginTimeout =
            reader.duration("login_timeout", in: entries, at: path, range: Limits.loginTimeoutRange) ?? limits.loginTimeout
        settings.maxCommandsBeforeLogin = limits.maxCommandsBeforeLogin
        if ConfigReader.value("allowed_clients", in: entries) != nil {
            let form = "an array of networks \"address/prefix\" or addresses, e.g. [\"127.0.0.0/8\", \"::1\"]"
            settings.allowedClients = reader.strings("allowed_clients", in: entries, at: path, expected: form) {
                NetworkPrefix(parsing: $0) != nil
            }.compactMap(NetworkPrefix.init(parsing:))
        } else if settings.protocol == .policy || settings.protocol == .lmtp || !settings.filter {
            settings.allowedClients = ListenerSettings.loopback
        }
    }
}

extension SiteDecoder {
    /// `filter` of a `[[listener]]`: only SMTP-family listeners take mail to filter.
    mutating func decodeListenerFilter(_ entries: Entries, at path: ConfigKeyPath, protocol proto: ListenerProtocol?)
        -> Bool
    {
        guard let value = reader.boolean("filter", in: entries, at: path) else { return true }
        if !value, let proto, ![.smtp, .submission, .submissions, .lmtp].contains(proto) {
            reader.report(
                .invalidValue, at: path.appending("filter"),
                message:
                    "expected filter only on smtp, submission, submissions or lmtp listeners, got protocol \(proto.rawValue)",
                expected: "a listener that receives mail")
        }
        return value
    }
}
