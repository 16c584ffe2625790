/// When to try a failed delivery again: `first`, doubling up to `maximum`, given up after `expiry`
/// since the message was received (RFC 5321 §4.5.4.1: retry at least 30 min apart, give up after 4–5 days).
public struct RetrySchedule: Sendable, Equatable {
    public var first: Duration
    public var maximum: Duration
    public var expiry: Duration

    public init(first: Duration = .seconds(300), maximum: Duration = .seconds(4 * 3600), expiry: Duration = .seconds(5 * 86400)) {
        self.first = first
        self.maximum = maximum
        self.expiry = expiry
    }

    /// Seconds to wait after the `attempts`-th failed attempt (1-based).
    public func delay(afterAttempt attempts: Int) -> Int64 {
        let first = first.components.seconds
        let maximum = maximum.components.seconds
        var delay = max(1, first)
        for _ in 1..<max(1, attempts) where delay < maximum { delay *= 2 }
        return min(delay, maximum)
    }

    /// Whether a message received at `receivedAt` has been queued too long at `now`.
    public func isExpired(receivedAt: Int64, now: Int64) -> Bool {
        now - receivedAt >= expiry.components.seconds
    }
}
