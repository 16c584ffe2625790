import Core
import Logging

/// Runs the configured steps in order within the chain's time budget and combines their
/// verdicts: a reject, tempfail or quarantine ends the chain; header fields add up; one Junk
/// verdict sends the message to Junk. A step that fails follows its `on_failure`.
public struct FilterChain: Sendable {
    public let steps: [any ContentScanner]
    public let budget: Duration
    /// Client networks whose mail is not scanned.
    public let trustedNetworks: [NetworkPrefix]
    public let skipAuthenticated: Bool
    let logger: Logger

    public init(
        steps: [any ContentScanner], budget: Duration, trustedNetworks: [NetworkPrefix] = [],
        skipAuthenticated: Bool = false, logger: Logger
    ) {
        self.steps = steps
        self.budget = budget
        self.trustedNetworks = trustedNetworks
        self.skipAuthenticated = skipAuthenticated
        self.logger = logger
    }

    /// The chain `settings` describe (nil when there is nothing to run before the reply).
    public init?(settings: FilterSettings, maxMessageSize: Int, logger: Logger) {
        var steps: [any ContentScanner] = []
        let rules = ContentRules(
            headerChecks: settings.headerChecks, blockedExtensions: settings.blockedExtensions,
            blockedTypes: settings.blockedTypes)
        if !rules.isEmpty { steps.append(ContentRulesScanner(rules: rules, maxBytes: maxMessageSize)) }
        if let clamAV = settings.clamAV { steps.append(ClamAVScanner(settings: clamAV)) }
        if let spamAssassin = settings.spamAssassin { steps.append(SpamAssassinScanner(settings: spamAssassin)) }
        if let rspamd = settings.rspamd { steps.append(RspamdScanner(settings: rspamd)) }
        guard !steps.isEmpty else { return nil }
        self.init(
            steps: steps, budget: settings.timeout.duration,
            trustedNetworks: settings.trustedNetworks.compactMap(NetworkPrefix.init(parsing:)),
            skipAuthenticated: settings.skipAuthenticated, logger: logger)
    }

    /// Whether `message` skips the chain (trusted network, authenticated sender).
    public func skips(_ message: FilterMessage) -> Bool {
        (skipAuthenticated && message.authenticatedUser != nil) || trustedNetworks.contains { $0.contains(message.clientIP) }
    }

    public func run(_ message: FilterMessage) async -> FilterVerdict {
        if skips(message) { return .accept(headers: []) }
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var headers: [String] = []
        var junk = false
        for step in steps {
            let remaining = min(step.timeout, deadline - clock.now)
            let verdict: FilterVerdict
            do {
                guard remaining > .zero else { throw ScannerError.timedOut }
                verdict = try await step.scan(message, timeout: remaining)
            } catch {
                logger.warning(
                    "content scanner failed",
                    metadata: ["scanner": "\(step.name)", "error": "\(error)", "on_failure": "\(step.onFailure.rawValue)"])
                switch step.onFailure {
                case .tempfail: return .tempfail(.scannerUnavailable(step.name))
                case .accept: continue
                }
            }
            switch verdict {
            case .accept(let more): headers += more
            case .junk(let more):
                headers += more
                junk = true
            case .quarantine(let reason, let more): return .quarantine(reason: reason, headers: headers + more)
            case .reject, .tempfail: return verdict
            }
        }
        return junk ? .junk(headers: headers) : .accept(headers: headers)
    }
}
