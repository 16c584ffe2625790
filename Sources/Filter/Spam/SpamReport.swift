import Core

/// What a spam scanner said about a message: its score, decided per recipient afterwards
/// (`SpamDecision`), since recipients may have their own thresholds (`SpamPreferences`).
public struct SpamReport: Sendable, Equatable {
    public var scanner: String
    public var score: Double
    /// The scanner's own threshold (spamd's `required`, rspamd's `required_score`).
    public var required: Double
    /// Names of the rules that hit.
    public var symbols: [String]
    /// The configured thresholds (`[filter.spamassassin]`, `[filter.rspamd]`): the defaults.
    public var thresholds: FilterSettings.SpamThresholds
    /// Further header fields for every recipient (rspamd's `X-Spam-Action`).
    public var extraHeaders: [String]

    public init(
        scanner: String, score: Double, required: Double, symbols: [String] = [],
        thresholds: FilterSettings.SpamThresholds = .init(), extraHeaders: [String] = []
    ) {
        self.scanner = scanner
        self.score = score
        self.required = required
        self.symbols = symbols
        self.thresholds = thresholds
        self.extraHeaders = extraHeaders
    }
}

/// A chain step that scores spam; the chain collects its report instead of a verdict.
public protocol SpamScanner: ContentScanner {
    /// Scores the message; throws when the scanner cannot give an answer.
    func report(_ message: FilterMessage, timeout: Duration) async throws -> SpamReport
}

extension SpamScanner {
    /// The verdict with the configured thresholds for everyone.
    public func scan(_ message: FilterMessage, timeout: Duration) async throws -> FilterVerdict {
        SpamDecision.verdict([try await report(message, timeout: timeout)])
    }
}
