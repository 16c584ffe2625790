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
        if !rules.isEmpty {
            steps.append(ContentRulesScanner(rules: rules, maxBytes: maxMessageSize, limitAction: settings.mimeLimitAction))
        }
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

    /// The message's verdict when every recipient has the configured spam settings.
    public func run(_ message: FilterMessage) async -> FilterVerdict {
        let outcome = await scan(message)
        guard !outcome.spam.isEmpty else { return outcome.verdict }
        switch outcome.verdict {
        case .reject, .tempfail, .quarantine: return outcome.verdict
        case .accept, .junk: break
        }
        let base = outcome.verdict.headers
        let spam = SpamDecision.verdict(outcome.spam)
        switch spam {
        case .reject, .tempfail: return spam
        case .quarantine(let reason, let headers):
            return .quarantine(reason: reason, headers: base + headers)
        case .junk(let headers): return .junk(headers: base + headers)
        case .accept(let headers):
            if case .junk = outcome.verdict { return .junk(headers: base + headers) }
            return .accept(headers: base + headers)
        }
    }

    /// Runs the steps once; spam scanners' scores are collected for the per-recipient decision
    /// (`SpamDecision`), the other steps' verdicts combined.
    public func scan(_ message: FilterMessage) async -> FilterOutcome {
        if skips(message) { return FilterOutcome(verdict: .accept(headers: []), spam: []) }
        let clock = ContinuousClock()
        let deadline = clock.now + budget
        var headers: [String] = []
        var junk = false
        var spam: [SpamReport] = []
        for step in steps {
            let remaining = min(step.timeout, deadline - clock.now)
            let verdict: FilterVerdict
            do {
                guard remaining > .zero else { throw ScannerError.timedOut }
                if let scorer = step as? any SpamScanner {
                    spam.append(try await scorer.report(message, timeout: remaining))
                    FilterMetrics.verdict(step.name, "scored")
                    continue
                }
                verdict = try await step.scan(message, timeout: remaining)
                FilterMetrics.verdict(step.name, verdict.metricLabel)
            } catch {
                FilterMetrics.verdict(step.name, "error")
                logger.warning(
                    "content scanner failed",
                    metadata: ["scanner": "\(step.name)", "error": "\(error)", "on_failure": "\(step.onFailure.rawValue)"])
                switch step.onFailure {
                case .tempfail:
                    return FilterOutcome(verdict: .tempfail(.scannerUnavailable(step.name)), spam: [])
                case .accept: continue
                }
            }
            switch verdict {
            case .accept(let more): headers += more
            case .junk(let more):
                headers += more
                junk = true
            case .quarantine(let reason, let more):
                return FilterOutcome(verdict: .quarantine(reason: reason, headers: headers + more), spam: spam)
            case .reject, .tempfail: return FilterOutcome(verdict: verdict, spam: [])
            }
        }
        return FilterOutcome(verdict: junk ? .junk(headers: headers) : .accept(headers: headers), spam: spam)
    }
}

/// The chain's result before the per-recipient spam decision.
public struct FilterOutcome: Sendable, Equatable {
    /// What the steps other than spam scanners decided, with their header fields.
    public var verdict: FilterVerdict
    /// The spam scanners' scores, judged per recipient by `SpamDecision`.
    public var spam: [SpamReport]

    public init(verdict: FilterVerdict, spam: [SpamReport]) {
        self.verdict = verdict
        self.spam = spam
    }
}
