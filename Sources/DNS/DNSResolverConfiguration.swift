/// How a `DNSResolver` talks to its nameservers.
public struct DNSResolverConfiguration: Sendable {
    /// Tried in order, `attempts` rounds over the whole list.
    public var nameservers: [DNSNameserver]
    /// How long to wait for one answer from one server (UDP, or the whole TCP exchange).
    public var timeout: Duration
    /// Rounds over the nameserver list.
    public var attempts: Int
    /// The EDNS0 OPT record sent with queries (RFC 6891); nil sends plain RFC 1035 queries.
    public var edns: EDNS?
    /// CNAME records followed at most, in answers and by new queries.
    public var maxCNAMEChain: Int
    public var cache: DNSCacheConfiguration
    /// The nameservers are DNSSEC-validating resolvers reached over a path nobody can tamper
    /// with (loopback): queries set the AD bit (RFC 6840 §5.7) and answers report the AD bit of
    /// the responses (`DNSAnswer.authenticData`). When false, `authenticData` is always false,
    /// since a stub cannot trust the AD bit of a resolver it does not know (RFC 4035 §4.9.3,
    /// RFC 6698 §4.1, RFC 7672 §2.1.1).
    public var dnssecValidating: Bool

    public init(
        nameservers: [DNSNameserver], timeout: Duration = .seconds(2), attempts: Int = 2,
        edns: EDNS? = EDNS(), maxCNAMEChain: Int = 8, cache: DNSCacheConfiguration = DNSCacheConfiguration(),
        dnssecValidating: Bool = false
    ) {
        self.dnssecValidating = dnssecValidating
        self.nameservers = nameservers
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.edns = edns
        self.maxCNAMEChain = maxCNAMEChain
        self.cache = cache
    }

    /// Nameservers given as `(host, port)` pairs, hosts being IP addresses.
    public init(nameservers: [(host: String, port: Int)]) throws {
        self.init(nameservers: try nameservers.map { try DNSNameserver(host: $0.host, port: $0.port) })
    }

    /// Nameservers and the `timeout:`/`attempts:` options of a resolv.conf.
    public init(resolvConf: ResolvConf) {
        self.init(nameservers: resolvConf.nameservers)
        if let seconds = resolvConf.timeout { timeout = .seconds(seconds) }
        if let attempts = resolvConf.attempts { self.attempts = attempts }
    }

    /// The system's configuration, from /etc/resolv.conf.
    public static func system(path: String = ResolvConf.defaultPath) throws -> DNSResolverConfiguration {
        DNSResolverConfiguration(resolvConf: try ResolvConf.load(path: path))
    }
}
