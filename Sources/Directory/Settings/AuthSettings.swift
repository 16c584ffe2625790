import Core

/// `[auth]`: the login throttle, per-connection login attempts and the login log's retention
/// (docs/config.md, docs/security.md).
public struct AuthSettings: Sendable, Equatable {
    /// `max_failures_per_connection`: failed logins after which a connection is closed (1...100, default 3).
    public var maxFailuresPerConnection: Int
    /// `delay_after`: failures in the window answered without delay (0...1000, default 3).
    public var delayAfter: Int
    /// `base_delay`: the first delay, doubled per further failure (1s...1m, default 1s).
    public var baseDelay: ConfigDuration
    /// `max_delay`: the longest delay, also the cost of a refused attempt (1s...5m, default 15s).
    public var maxDelay: ConfigDuration
    /// `lockout_after`: failures in the window after which attempts are refused unchecked (1...1000, default 10).
    public var lockoutAfter: Int
    /// `window`: how long a failure counts (1m...1d, default 10m).
    public var window: ConfigDuration
    /// `lockout`: how long attempts are refused after the last failure (1m...1d, default 15m).
    public var lockout: ConfigDuration
    /// `trusted_for`: a success from an address keeps the address exempt from the account's and the
    /// address's lockout for this long (1d...365d, default 30d; at most `log_retention` is effective).
    public var trustedFor: ConfigDuration
    /// `log_retention`: login events older than this are deleted (1d...3650d, default 90d).
    public var logRetention: ConfigDuration

    public init(
        maxFailuresPerConnection: Int = 3, delayAfter: Int = 3, baseDelay: ConfigDuration = .seconds(1),
        maxDelay: ConfigDuration = .seconds(15), lockoutAfter: Int = 10, window: ConfigDuration = .minutes(10),
        lockout: ConfigDuration = .minutes(15), trustedFor: ConfigDuration = .days(30),
        logRetention: ConfigDuration = .days(90)
    ) {
        self.maxFailuresPerConnection = maxFailuresPerConnection
        self.delayAfter = delayAfter
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.lockoutAfter = lockoutAfter
        self.window = window
        self.lockout = lockout
        self.trustedFor = trustedFor
        self.logRetention = logRetention
    }

    /// The defaults.
    public init() {
        self.init(maxFailuresPerConnection: 3)
    }

    static let keys = [
        "max_failures_per_connection", "delay_after", "base_delay", "max_delay", "lockout_after", "window", "lockout",
        "trusted_for", "log_retention",
    ]
}

extension PostaConfig {
    /// `[auth]`.
    public var auth: AuthSettings {
        get { sections[AuthSettings.self] }
        set { sections[AuthSettings.self] = newValue }
    }
}

extension AuthSettings: ConfigSection {
    package static let name = "auth"

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> AuthSettings
    {
        var settings = AuthSettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        let day: Int64 = 86400
        func integer(_ key: String, _ range: ClosedRange<Int64>) -> Int? {
            reader.integer(key, in: entries, at: path, range: range)
        }
        func duration(_ key: String, _ range: ClosedRange<Int64>) -> ConfigDuration? {
            reader.duration(key, in: entries, at: path, range: range)
        }
        if let v = integer("max_failures_per_connection", 1...100) { settings.maxFailuresPerConnection = v }
        if let v = integer("delay_after", 0...1000) { settings.delayAfter = v }
        if let v = duration("base_delay", 1...60) { settings.baseDelay = v }
        if let v = duration("max_delay", 1...300) { settings.maxDelay = v }
        if let v = integer("lockout_after", 1...1000) { settings.lockoutAfter = v }
        if let v = duration("window", 60...day) { settings.window = v }
        if let v = duration("lockout", 60...day) { settings.lockout = v }
        if let v = duration("trusted_for", day...(365 * day)) { settings.trustedFor = v }
        if let v = duration("log_retention", day...(3650 * day)) { settings.logRetention = v }
        return settings
    }
}
