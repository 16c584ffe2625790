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
