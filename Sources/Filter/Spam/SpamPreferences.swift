/// Spam settings of one account or domain (`posta filter settings`); nil fields inherit, from
/// the domain for an account and from the `[filter]` scanner settings for a domain.
public struct SpamPreferences: Sendable, Equatable, Codable {
    /// At or above: spam (`X-Spam-Flag: YES`, Junk when `junk`).
    public var junkThreshold: Double?
    /// At or above: refused, when every recipient refuses (see `SpamDecision`).
    public var rejectThreshold: Double?
    /// Deliver spam into Junk rather than INBOX.
    public var junk: Bool?

    public init(junkThreshold: Double? = nil, rejectThreshold: Double? = nil, junk: Bool? = nil) {
        self.junkThreshold = junkThreshold
        self.rejectThreshold = rejectThreshold
        self.junk = junk
    }

    /// These settings, with `fallback`'s where these have none.
    public func over(_ fallback: SpamPreferences) -> SpamPreferences {
        SpamPreferences(
            junkThreshold: junkThreshold ?? fallback.junkThreshold,
            rejectThreshold: rejectThreshold ?? fallback.rejectThreshold,
            junk: junk ?? fallback.junk)
    }

    public var isEmpty: Bool { junkThreshold == nil && rejectThreshold == nil && junk == nil }
}
