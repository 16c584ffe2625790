/// `[delivery]`: how mail leaves for other domains.
public struct DeliverySettings: Sendable, Equatable {
    /// DNS servers as `(host, port)`; empty means those of `/etc/resolv.conf`.
    public var nameservers: [HostPort]
    /// The port of remote MX hosts (25; another only for test set-ups).
    public var smtpPort: Int

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
