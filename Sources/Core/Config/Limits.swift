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

    public init(
        maxConnections: Int = 2000, maxConnectionsPerIP: Int = 50, idleTimeout: ConfigDuration = .minutes(5),
        maxMessageSize: ByteSize = .mebibytes(50), maxLineLength: Int = 4096, maxRecipients: Int = 1000
    ) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerIP = maxConnectionsPerIP
        self.idleTimeout = idleTimeout
        self.maxMessageSize = maxMessageSize
        self.maxLineLength = maxLineLength
        self.maxRecipients = maxRecipients
    }

    static let maxConnectionsRange: ClosedRange<Int64> = 1...1_000_000
    static let maxConnectionsPerIPRange: ClosedRange<Int64> = 1...100_000
    static let idleTimeoutRange: ClosedRange<Int64> = 1...(7 * 86400)
    static let maxMessageSizeRange: ClosedRange<Int64> = 1024...(2 * 1024 * 1024 * 1024)
    static let maxLineLengthRange: ClosedRange<Int64> = 512...1_048_576
    static let maxRecipientsRange: ClosedRange<Int64> = 100...100_000
}
