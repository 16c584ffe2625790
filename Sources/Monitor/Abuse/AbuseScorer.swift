/// One accepted submission as the scorer sees it.
public struct AbuseSend: Sendable, Hashable {
    public var ip: String
    public var network: String
    public var recipients: Int
    /// Seconds since 1970.
    public var at: Int64

    public init(ip: String, network: String, recipients: Int, at: Int64) {
        self.ip = ip
        self.network = network
        self.recipients = recipients
        self.at = at
    }
}

/// One login of the account inside the window, oldest first.
public struct AbuseLogin: Sendable, Hashable {
    public var ip: String
    public var network: String
    public var success: Bool
    public var at: Int64

    public init(ip: String, network: String, success: Bool, at: Int64) {
        self.ip = ip
        self.network = network
        self.success = success
        self.at = at
    }
}

/// Everything the rules look at for one account, gathered from the database by `AbuseStore`
/// (every node's records).
public struct AbuseHistory: Sendable, Equatable {
    public var accountID: Int64
    public var account: String
    /// The account's sends in the window, oldest first.
    public var sends: [AbuseSend]
    /// Addresses the account logged in from successfully to read mail during `read_history`.
    public var readIPs: Set<String>
    /// Their networks.
    public var readNetworks: Set<String>
    /// Networks with a successful login of any protocol during `read_history`, before the window.
    public var knownLoginNetworks: Set<String>
    /// The account's logins in the window, oldest first.
    public var logins: [AbuseLogin]
    /// The most messages the account sent in one clock hour during `history` before the window.
    public var busiestPastHour: Int
    /// Distinct recipients in the window never written to during `history` before it.
    public var newRecipients: Int
    /// Permanent failures of the account's mail in the window.
    public var bounces: Int

    public init(
        accountID: Int64, account: String, sends: [AbuseSend], readIPs: Set<String> = [], readNetworks: Set<String> = [],
        knownLoginNetworks: Set<String> = [], logins: [AbuseLogin] = [], busiestPastHour: Int = 0, newRecipients: Int = 0,
        bounces: Int = 0
    ) {
        self.accountID = accountID
        self.account = account
        self.sends = sends
        self.readIPs = readIPs
        self.readNetworks = readNetworks
        self.knownLoginNetworks = knownLoginNetworks
        self.logins = logins
        self.busiestPastHour = busiestPastHour
        self.newRecipients = newRecipients
        self.bounces = bounces
    }
}

/// Whitelist entries (`abuse_ignore`): `target` is an account address or a network; `rule` nil
/// means every rule.
public struct AbuseIgnore: Sendable, Hashable, Codable {
    public var target: String
    public var rule: AbuseRule?

    public init(target: String, rule: AbuseRule?) {
        self.target = target
        self.rule = rule
    }

    enum CodingKeys: String, CodingKey { case target, rule }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(target, forKey: .target)
        try container.encode(rule?.rawValue ?? "all", forKey: .rule)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        target = try container.decode(String.self, forKey: .target)
        rule = AbuseRule(rawValue: try container.decode(String.self, forKey: .rule))
    }
}

/// One rule's result for one account.
public struct AbuseRuleScore: Sendable, Hashable, Codable {
    public var rule: AbuseRule
    public var value: Int
    /// The threshold applied (for `rate`: at least `factor ×` the busiest past hour).
    public var threshold: Int
    public var weight: Int
    public var score: Int
    /// The rule is whitelisted for the account.
    public var ignored: Bool
}

/// One client address of an account in the window.
public struct AbuseIPSummary: Sendable, Hashable, Codable {
    public var ip: String
    public var network: String
    public var messages: Int
    public var firstSeen: Int64
    public var lastSeen: Int64
    /// The address (not only its network) logged in successfully to read mail during `read_history`.
    public var readMail: Bool
    /// Reverse DNS name, filled in by reports only.
    public var rdns: String?

    enum CodingKeys: String, CodingKey {
        case ip, network, messages, rdns
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case readMail = "read_mail"
    }
}

/// An account's score.
public struct AbuseScore: Sendable, Hashable, Codable {
    public var accountID: Int64
    public var account: String
    public var total: Int
    public var threshold: Int
    /// The window, in seconds.
    public var window: Int64
    public var rules: [AbuseRuleScore]
    /// The client addresses of the window, most messages first.
    public var ips: [AbuseIPSummary]

    /// The score reaches the threshold.
    public var exceeds: Bool { total >= threshold }

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case account, total, threshold, window, rules, ips
    }
}

/// The rules of docs/abuse.md as a pure function of an account's history: no clock, no
/// database, the same result for the same input.
public struct AbuseScorer: Sendable {
    public let settings: AbuseSettings

    public init(settings: AbuseSettings) {
        self.settings = settings
    }

    /// A rule's points: 0 below its threshold, else `weight × value / threshold`, at most `3 × weight`.
    public static func points(value: Int, threshold: Int, weight: Int) -> Int {
        guard weight > 0, threshold > 0, value >= threshold else { return 0 }
        let (product, overflow) = weight.multipliedReportingOverflow(by: value)
        return overflow ? 3 * weight : min(product / threshold, 3 * weight)
    }

    /// The score of `history`, with the whitelist `ignores` applied.
    public func score(_ history: AbuseHistory, ignores: [AbuseIgnore] = []) -> AbuseScore {
        let account = history.account.lowercased()
        let ignoredRules = Set(ignores.filter { $0.target.lowercased() == account }.map(\.rule))
        let ignoredNetworks = ignores.filter { $0.target.contains("/") }.map(\.target)
        func networkIgnored(_ send: AbuseSend) -> Bool {
            ignoredNetworks.contains { AbuseNetwork.contains($0, send.ip) }
        }
        let counted = history.sends.filter { !networkIgnored($0) }
        let networks = Set(counted.map(\.network))
        let unread = networks.subtracting(history.readNetworks).count
        var values: [AbuseRule: (value: Int, threshold: Int)] = [:]
        values[.unreadNetwork] = (unread, settings.rule(.unreadNetwork).threshold)
        values[.fanout] = (networks.count, settings.rule(.fanout).threshold)
        let rateThreshold = max(settings.rule(.rate).threshold, settings.rateFactor * history.busiestPastHour + 1)
        values[.rate] = (history.sends.count, rateThreshold)
        values[.newRecipients] = (history.newRecipients, settings.rule(.newRecipients).threshold)
        values[.failedLogins] = (Self.failuresBeforeNewSuccess(history), settings.rule(.failedLogins).threshold)
        values[.bounces] = (history.bounces, settings.rule(.bounces).threshold)
        let rules = AbuseRule.allCases.map { rule -> AbuseRuleScore in
            let (value, threshold) = values[rule]!
            let weight = settings.rule(rule).weight
            let ignored = ignoredRules.contains(rule) || ignoredRules.contains(nil)
            return AbuseRuleScore(
                rule: rule, value: value, threshold: threshold, weight: weight,
                score: ignored ? 0 : Self.points(value: value, threshold: threshold, weight: weight), ignored: ignored)
        }
        return AbuseScore(
            accountID: history.accountID, account: history.account, total: rules.reduce(0) { $0 + $1.score },
            threshold: settings.threshold, window: settings.window.seconds, rules: rules,
            ips: Self.summaries(history.sends, readIPs: history.readIPs))
    }

    /// The most failed logins in the window that came (since the success before) right before a
    /// success from a network that had no success before (0 when every success came from a known
    /// network): a guessed password, not a forgotten one.
    static func failuresBeforeNewSuccess(_ history: AbuseHistory) -> Int {
        var known = history.knownLoginNetworks
        var failures = 0
        var worst = 0
        for login in history.logins {
            if !login.success {
                failures += 1
            } else {
                if !known.contains(login.network) { worst = max(worst, failures) }
                known.insert(login.network)
                failures = 0
            }
        }
        return worst
    }

    /// Per client address: messages, first and last seen, whether it read mail; most messages first.
    public static func summaries(_ sends: [AbuseSend], readIPs: Set<String>) -> [AbuseIPSummary] {
        var byIP: [String: AbuseIPSummary] = [:]
        for send in sends {
            if var summary = byIP[send.ip] {
                summary.messages += 1
                summary.firstSeen = min(summary.firstSeen, send.at)
                summary.lastSeen = max(summary.lastSeen, send.at)
                byIP[send.ip] = summary
            } else {
                byIP[send.ip] = AbuseIPSummary(
                    ip: send.ip, network: send.network, messages: 1, firstSeen: send.at, lastSeen: send.at,
                    readMail: readIPs.contains(send.ip), rdns: nil)
            }
        }
        return byIP.values.sorted { ($0.messages, $1.ip) > ($1.messages, $0.ip) }
    }
}
