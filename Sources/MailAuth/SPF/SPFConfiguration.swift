import Foundation

/// How a receiver runs SPF checks.
public struct SPFConfiguration: Sendable {
    /// The receiving host's domain: the `r` macro (RFC 7208 §7.3) and `receiver=` of
    /// `Received-SPF` (§9.1). The RFC's default is "unknown".
    public var receiver: String
    /// The explanation for a `fail` whose domain gives none (§6.2), itself an explain-string:
    /// macros are expanded.
    public var defaultExplanation: String
    public var limits: SPFLimits
    /// Seconds since the epoch, for the `t` macro.
    public var now: @Sendable () -> Int

    public init(
        receiver: String = "unknown",
        defaultExplanation: String = "%{c} is not a permitted sender for %{o}",
        limits: SPFLimits = SPFLimits(),
        now: @escaping @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
    ) {
        self.receiver = receiver
        self.defaultExplanation = defaultExplanation
        self.limits = limits
        self.now = now
    }
}
