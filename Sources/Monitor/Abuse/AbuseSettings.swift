import Core

/// The scored signals of compromised-account detection (docs/abuse.md), by their name in the
/// configuration (`[abuse.<rule>]`), the audit trail and `posta abuse ignore --rule`.
public enum AbuseRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// Sends from networks the account never read mail from (the seed's own rule).
    case unreadNetwork = "unread_network"
    /// Distinct client networks in the window (botnet fan-out).
    case fanout
    /// Messages in the window far above the account's busiest past hour.
    case rate
    /// Distinct recipients the account never wrote to before.
    case newRecipients = "new_recipients"
    /// Failed logins before a success from a new network.
    case failedLogins = "failed_logins"
    /// Permanent failures of the account's mail.
    case bounces
}

/// One rule's weight and threshold (`[abuse.<rule>]`).
public struct AbuseRuleSettings: Sendable, Equatable {
    /// Points of the rule at its threshold; 0 switches the rule off.
    public var weight: Int
    /// The value from which the rule scores.
    public var threshold: Int

    public init(weight: Int, threshold: Int) {
        self.weight = weight
        self.threshold = threshold
    }
}

/// `[abuse]`: compromised-account detection and containment (docs/abuse.md).
public struct AbuseSettings: Sendable, Equatable {
    /// Record sends, evaluate and contain.
    public var enabled = false
    /// Total score that suspends an account.
    public var threshold = 100
    /// The sliding window scored.
    public var window: ConfigDuration = .hours(1)
    /// Time between evaluations.
    public var evaluateInterval: ConfigDuration = .seconds(30)
    /// How far back a reading login counts.
    public var readHistory: ConfigDuration = .days(30)
    /// The account's own past (rate, new recipients).
    public var history: ConfigDuration = .days(14)
    /// Send and bounce records older than this are purged.
    public var retention: ConfigDuration = .days(60)
    /// Who gets the report mail; nil: `postmaster@<hostname>`.
    public var reportTo: String?
    /// Also disable the account until its password changes.
    public var lockAccount = false
    /// Hold the account's queued mail for remote recipients.
    public var holdQueued = true
    /// Prefix length of an IPv4 client's network.
    public var networkPrefixV4 = 24
    /// Prefix length of an IPv6 client's network.
    public var networkPrefixV6 = 48
    /// Time one PTR lookup of the report may take.
    public var rdnsTimeout: ConfigDuration = .seconds(3)
    /// Each rule's weight and threshold.
    public var rules: [AbuseRule: AbuseRuleSettings] = AbuseSettings.defaultRules
    /// `[abuse.rate] factor`: multiple of the busiest past hour.
    public var rateFactor = 3

    public static let defaultRules: [AbuseRule: AbuseRuleSettings] = [
        .unreadNetwork: .init(weight: 30, threshold: 2), .fanout: .init(weight: 30, threshold: 4),
        .rate: .init(weight: 30, threshold: 20), .newRecipients: .init(weight: 30, threshold: 20),
        .failedLogins: .init(weight: 30, threshold: 10), .bounces: .init(weight: 20, threshold: 10),
    ]

    public init() {}

    /// The settings of `rule`.
    public func rule(_ rule: AbuseRule) -> AbuseRuleSettings {
        rules[rule] ?? Self.defaultRules[rule]!
    }

    /// The report's recipient: `report_to`, else `postmaster@<hostname>`.
    public func reportRecipient(hostname: String) -> String {
        reportTo ?? "postmaster@\(hostname)"
    }

    static let keys =
        [
            "enabled", "threshold", "window", "evaluate_interval", "read_history", "history", "retention", "report_to",
            "lock_account", "hold_queued", "network_prefix_v4", "network_prefix_v6", "rdns_timeout",
        ] + AbuseRule.allCases.map(\.rawValue)
}

extension PostaConfig {
    /// `[abuse]`.
    public var abuse: AbuseSettings {
        get { sections[AbuseSettings.self] }
        set { sections[AbuseSettings.self] = newValue }
    }
}

extension AbuseSettings: ConfigSection {
    package static let name = "abuse"

    package static func decode(_ entries: ConfigReader.Entries, at path: ConfigKeyPath, reader: inout ConfigReader)
        -> AbuseSettings
    {
        var settings = AbuseSettings()
        reader.checkKeys(entries, at: path, allowed: keys)
        if let value = reader.boolean("enabled", in: entries, at: path) { settings.enabled = value }
        if let value = reader.integer("threshold", in: entries, at: path, range: 1...100_000) { settings.threshold = value }
        if let value = reader.duration("window", in: entries, at: path, range: 60...7 * 86400) { settings.window = value }
        if let value = reader.duration("evaluate_interval", in: entries, at: path, range: 1...3600) {
            settings.evaluateInterval = value
        }
        if let value = reader.duration("read_history", in: entries, at: path, range: 3600...365 * 86400) {
            settings.readHistory = value
        }
        if let value = reader.duration("history", in: entries, at: path, range: 3600...365 * 86400) {
            settings.history = value
        }
        if let value = reader.duration("retention", in: entries, at: path, range: 86400...3650 * 86400) {
            settings.retention = value
        }
        settings.reportTo = reader.mailAddress("report_to", in: entries, at: path)
        if let value = reader.boolean("lock_account", in: entries, at: path) { settings.lockAccount = value }
        if let value = reader.boolean("hold_queued", in: entries, at: path) { settings.holdQueued = value }
        if let value = reader.integer("network_prefix_v4", in: entries, at: path, range: 8...32) {
            settings.networkPrefixV4 = value
        }
        if let value = reader.integer("network_prefix_v6", in: entries, at: path, range: 16...128) {
            settings.networkPrefixV6 = value
        }
        if let value = reader.duration("rdns_timeout", in: entries, at: path, range: 1...30) { settings.rdnsTimeout = value }
        for rule in AbuseRule.allCases {
            let rulePath = path.appending(rule.rawValue)
            guard let table = reader.table(rule.rawValue, in: entries, at: path) else { continue }
            reader.checkKeys(
                table, at: rulePath, allowed: rule == .rate ? ["weight", "threshold", "factor"] : ["weight", "threshold"])
            var values = settings.rule(rule)
            if let weight = reader.integer("weight", in: table, at: rulePath, range: 0...10_000) { values.weight = weight }
            if let threshold = reader.integer("threshold", in: table, at: rulePath, range: 1...1_000_000) {
                values.threshold = threshold
            }
            settings.rules[rule] = values
            if rule == .rate, let factor = reader.integer("factor", in: table, at: rulePath, range: 1...1000) {
                settings.rateFactor = factor
            }
        }
        if settings.retention < settings.history || settings.retention < settings.window,
            let node = ConfigReader.value("retention", in: entries)
        {
            reader.invalid(path.appending("retention"), node, expected: "a duration at least as long as history and window")
        }
        return settings
    }
}
