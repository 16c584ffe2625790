/// `[delivery]`: how mail leaves for other domains.
public struct DeliverySettings: Sendable, Equatable {
    /// DNS servers as `(host, port)`; empty means those of `/etc/resolv.conf`.
    public var nameservers: [HostPort]
    /// The port of remote MX hosts (25; another only for test set-ups).
    public var smtpPort: Int
    /// Retry schedule: first delay, doubling up to `retryMaximum`; given up after `expiry`.
    public var retryFirst: ConfigDuration = .minutes(5)
    public var retryMaximum: ConfigDuration = .hours(4)
    public var expiry: ConfigDuration = .days(5)
    /// Outbound SMTP connections at once, in all and per destination domain (or relay host).
    public var maxConnections = 50
    public var maxConnectionsPerDomain = 10
    /// Domains (lower-case) whose mail is only sent over STARTTLS; otherwise deferred.
    public var requireTLS: [String] = []
    /// A delay warning DSN goes to the sender of a message still undelivered after this; 0 = never.
    public var delayWarning: ConfigDuration = .seconds(0)
    /// A smarthost for all remote mail instead of MX lookup, with optional AUTH credentials.
    public var relayHost: HostPort?
    public var relayUser: String?
    /// An absolute path; the file holds the password (one line).
    public var relayPasswordFile: String?

    public struct HostPort: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    public init(nameservers: [HostPort] = [], smtpPort: Int = 25) {
        self.nameservers = nameservers
        self.smtpPort = smtpPort
    }
}
