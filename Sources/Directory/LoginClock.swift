import Core

/// Time as the login throttle sees it: a monotonic instant for the in-memory counts, wall-clock
/// seconds for the login log, and waiting out a delay. Tests inject a manual clock, so the rules are
/// checked without sleeping.
public protocol LoginClock: Sendable {
    var now: ContinuousClock.Instant { get }
    /// Seconds since 1970.
    var unixTime: Int64 { get }
    /// Waits without holding a thread (a tarpit costs the server a suspended task, nothing more).
    func sleep(for duration: Duration) async
}

/// The real clocks.
public struct SystemLoginClock: LoginClock {
    public init() {}
    public var now: ContinuousClock.Instant { .now }
    public var unixTime: Int64 { UnixTime.now() }
    public func sleep(for duration: Duration) async {
        guard duration > .zero else { return }
        try? await Task.sleep(for: duration)
    }
}
