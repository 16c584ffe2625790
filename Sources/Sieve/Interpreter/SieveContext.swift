import Foundation

/// The SMTP envelope of the delivery (RFC 5228 §5.4).
public struct SieveEnvelope: Sendable, Hashable {
    /// The reverse path without brackets; "" for the null sender.
    public var from: String
    /// The recipient being delivered to.
    public var to: String
    /// The recipient as first given (RFC 3461 ORCPT), when known.
    public var originalTo: String?
    /// The authenticated identity (RFC 4954 AUTH=), when known.
    public var auth: String?

    /// An envelope.
    public init(from: String, to: String, originalTo: String? = nil, auth: String? = nil) {
        self.from = from
        self.to = to
        self.originalTo = originalTo
        self.auth = auth
    }
}

/// Everything a run needs to ask the outside world; the interpreter does no I/O but through this.
public protocol SieveEnvironment: Sendable {
    /// RFC 5490 §3.1: whether a mailbox exists (and could be filed into).
    func mailboxExists(_ name: String) async -> Bool
    /// RFC 7352: whether `id` was tracked within the last `seconds` (checking does not track).
    func isDuplicate(_ id: String, seconds: Int) async -> Bool
}

/// Everything a run needs besides the message.
public struct SieveContext: Sendable {
    /// The delivery's envelope.
    public var envelope: SieveEnvelope
    /// The time of delivery (currentdate, RFC 5260 §5).
    public var now: Date
    /// The server's zone, used by the date tests when no `:zone` is given (RFC 5260 §4.1).
    public var localZoneOffsetMinutes: Int
    /// RFC 3685 §3.1: 0 (not tested) to 10; nil is "not tested".
    public var spamScore: Int?
    /// RFC 5235 §3.2: 0 to 100, for `spamtest :percent`; nil is "not tested".
    public var spamPercent: Int?
    /// RFC 3685 §3.2: 1 (clean) to 5 (infected); nil is "not tested" (0).
    public var virusScore: Int?
    /// Mailbox lookups and duplicate tracking.
    public var environment: any SieveEnvironment

    /// A context.
    public init(
        envelope: SieveEnvelope, now: Date = Date(), localZoneOffsetMinutes: Int = 0, spamScore: Int? = nil,
        spamPercent: Int? = nil, virusScore: Int? = nil, environment: any SieveEnvironment
    ) {
        self.envelope = envelope
        self.now = now
        self.localZoneOffsetMinutes = localZoneOffsetMinutes
        self.spamScore = spamScore
        self.spamPercent = spamPercent
        self.virusScore = virusScore
        self.environment = environment
    }
}
