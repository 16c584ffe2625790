import Core

/// `[delivery]`: how mail leaves for other domains.
public struct DeliverySettings: Sendable, Equatable {
    /// DNS servers as `(host, port)`; empty means those of `/etc/resolv.conf`.
    public var nameservers: [HostPort]
    /// The port of remote MX hosts (25; another only for test set-ups).
    public var smtpPort: Int
    /// The `nameservers` are DNSSEC-validating resolvers on loopback whose AD bit is believed
    /// (RFC 7672 §2.1.1): DANE (RFC 7672) applies to outbound delivery. Needs `nameservers`.
    public var dnssec = false
    /// Retry schedule: first delay, doubling up to `retryMaximum`; given up after `expiry`.
    public var retryFirst: ConfigDuration = .minutes(5)
    public var retryMaximum: ConfigDuration = .hours(4)
    public var expiry: ConfigDuration = .days(5)
    /// How long a node's claim on a delivery lasts without renewal. A running node renews the
    /// claims it works on every third of it, so this is how soon a dead node's deliveries move on.
    public var queueLease: ConfigDuration = .seconds(30)
    /// Outbound SMTP connections at once, in all and per destination domain (or relay host).
    public var maxConnections = 50
    public var maxConnectionsPerDomain = 10
    /// Domains (lower-case) whose mail is only sent over STARTTLS; otherwise deferred.
    public var requireTLS: [String] = []
    /// Domains (lower-case) whose MX hosts must present a certificate that verifies (trusted
    /// chain, MX host name); otherwise deferred. Implies `requireTLS`.
    public var verifyTLS: [String] = []
    /// Trust anchors (PEM) for verified outbound TLS (smarthost, `verifyTLS`); nil: the system's.
    public var tlsCAFile: String?
    /// SMTP client reply timeouts (RFC 5321 §4.5.3.2) and the TCP connect timeout.
    public var timeouts = SMTPTimeouts()
    /// A delay warning DSN goes to the sender of a message still undelivered after this; 0 = never.
    public var delayWarning: ConfigDuration = .seconds(0)
    /// A smarthost for all remote mail instead of MX lookup, with optional AUTH credentials.
    public var relayHost: HostPort?
    public var relayUser: String?
    /// An absolute path; the file holds the password (one line).
    public var relayPasswordFile: String?

    /// `smtp_*_timeout`: how long the SMTP client waits; the defaults are RFC 5321 §4.5.3.2's.
    public struct SMTPTimeouts: Sendable, Equatable {
        public var connect: ConfigDuration = .seconds(30)
        /// §4.5.3.2.1 initial 220; §4.5.3.2.2/3 MAIL, RCPT (also EHLO, STARTTLS, AUTH, RSET, QUIT).
        public var greeting: ConfigDuration = .minutes(5)
        public var command: ConfigDuration = .minutes(5)
        /// §4.5.3.2.4 DATA initiation, §4.5.3.2.5 each data block, §4.5.3.2.6 reply to the final ".".
        public var dataInit: ConfigDuration = .minutes(2)
        public var dataBlock: ConfigDuration = .minutes(3)
        public var dataDone: ConfigDuration = .minutes(10)

        public init() {}
    }

    public struct HostPort: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The defaults: resolv.conf's DNS servers, port 25.
    public init() {
        self.init(nameservers: [])
    }

    public init(nameservers: [HostPort] = [], smtpPort: Int = 25) {
        self.nameservers = nameservers
        self.smtpPort = smtpPort
    }
}
