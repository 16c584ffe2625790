import Core

/// `[admin]`: the console's sessions and the helpdesk's limits (docs/admin.md).
public struct AdminSettings: Sendable, Equatable {
    /// `session_idle`: a console session unused this long ends (5m...1d, default 30m).
    public var sessionIdle: ConfigDuration
    /// `session_lifetime`: a console session ends this long after login whatever happens (1h...30d, default 12h).
    public var sessionLifetime: ConfigDuration
    /// `helpdesk_quota_ceiling`: the largest quota a helpdesk may set (default 10G).
    public var helpdeskQuotaCeiling: ByteSize

    public init(
        sessionIdle: ConfigDuration = .minutes(30), sessionLifetime: ConfigDuration = .hours(12),
        helpdeskQuotaCeiling: ByteSize = ByteSize(bytes: 10 << 30)
    ) {
        self.sessionIdle = sessionIdle
        self.sessionLifetime = sessionLifetime
        self.helpdeskQuotaCeiling = helpdeskQuotaCeiling
    }
}
