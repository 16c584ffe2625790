/// `[limits]`: site-wide limits; listeners may override the per-connection ones.
public struct Limits: Sendable, Equatable {
    /// `max_connections`: concurrent connections, whole server (1...1_000_000, default 2000).
    public var maxConnections: Int
    /// `max_connections_per_ip`: concurrent connections from one client address (1...100_000, default 50).
    public var maxConnectionsPerIP: Int
    /// `idle_timeout`: a connection silent this long is closed (1s...7d, default 5m).
    public var idleTimeout: ConfigDuration
    /// `max_message_size`: largest message accepted (1K...2G, default 50M).
    public var maxMessageSize: ByteSize
    /// `max_line_length`: longest protocol line in bytes (512...1_048_576, default 4096).
    public var maxLineLength: Int
    /// `max_recipients`: recipients per message (100...100_000, default 1000; RFC 5321 §4.5.3.1.8).
    public var maxRecipients: Int
    /// `login_timeout`: a connection to a listener where clients log in (submission, IMAP, POP3)
    /// that has not authenticated this long after it opened is closed (1s...1h, default 60s).
    public var loginTimeout: ConfigDuration
    /// `max_commands_before_login`: commands (errors included) a client may send on such a listener
    /// before it has logged in; one more closes the connection (5...10_000, default 50).
    public var maxCommandsBeforeLogin: Int
    /// `ipv6_prefix_length`: IPv6 clients are counted per prefix of this length for per-client
    /// limits (32...128, default 64; see `ClientKey`).
    public var ipv6PrefixLength: Int
    /// `max_connections_mx`, `…_submission`, `…_mailbox`, `…_service`: concurrent connections of
    /// each listener class, so a flood on one class cannot take the slots of the others (each
    /// 1...1_000_000; defaults 40 %, 20 %, 30 % and 10 % of `max_connections`, at least 1).
    public var classBudgets: [ListenerClass: Int]

    public init(
        maxConnections: Int = 2000, maxConnectionsPerIP: Int = 50, idleTimeout: ConfigDuration = .minutes(5),
        maxMessageSize: ByteSize = .mebibytes(50), maxLineLength: Int = 4096, maxRecipients: Int = 1000,
        loginTimeout: ConfigDuration = .seconds(60), maxCommandsBeforeLogin: Int = 50,
        ipv6PrefixLength: Int = ClientKey.defaultIPv6PrefixLength, classBudgets: [ListenerClass: Int] = [:]
    ) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerIP = maxConnectionsPerIP
        self.idleTimeout = idleTimeout
        self.maxMessageSize = maxMessageSize
        self.maxLineLength = maxLineLength
        self.maxRecipients = maxRecipients
        self.loginTimeout = loginTimeout
        self.maxCommandsBeforeLogin = maxCommandsBeforeLogin
        self.ipv6PrefixLength = ipv6PrefixLength
        self.classBudgets = classBudgets
    }

    /// The connections `listenerClass` may have open at once: its configured budget, or its
    /// default share of `maxConnections`.
    public func budget(_ listenerClass: ListenerClass) -> Int {
        classBudgets[listenerClass] ?? max(1, maxConnections * listenerClass.defaultSharePercent / 100)
    }

    static let maxConnectionsRange: ClosedRange<Int64> = 1...1_000_000
    static let maxConnectionsPerIPRange: ClosedRange<Int64> = 1...100_000
    static let idleTimeoutRange: ClosedRange<Int64> = 1...(7 * 86400)
    static let maxMessageSizeRange: ClosedRange<Int64> = 1024...(2 * 1024 * 1024 * 1024)
    static let maxLineLengthRange: ClosedRange<Int64> = 512...1_048_576
    static let maxRecipientsRange: ClosedRange<Int64> = 100...100_000
    static let loginTimeoutRange: ClosedRange<Int64> = 1...3600
    static let maxCommandsBeforeLoginRange: ClosedRange<Int64> = 5...10_000
    static let ipv6PrefixLengthRange: ClosedRange<Int64> = 32...128
}
