import NIOCore

/// Monotonic time for cache expiry, injectable so tests can move it.
public protocol DNSClock: Sendable {
    /// Seconds since an arbitrary fixed origin; never decreases.
    func now() -> Double
}

/// The system's monotonic clock.
public struct SystemDNSClock: DNSClock {
    public init() {}
    public func now() -> Double { Double(NIODeadline.now().uptimeNanoseconds) / 1_000_000_000 }
}
