import NIOSSL

/// How to reach and authenticate to a directory: the servers in failover order, TLS, the
/// service bind and the time limits.
public struct LDAPServerSettings: Sendable {
    /// Tried in order; a server that failed is skipped for `retryAfter` while another answers.
    public var urls: [LDAPURL]
    /// StartTLS on `ldap://` URLs (RFC 4511 §4.14); `ldaps://` URLs are TLS from the start.
    public var startTLS: Bool
    /// The client TLS configuration (trust anchors, verification) for StartTLS and `ldaps://`.
    public var tls: TLSConfiguration
    /// The service account's DN and password; nil binds anonymously.
    public var bindDN: String?
    public var bindPassword: String
    public var connectTimeout: Duration
    /// Longest wait for the answer to one request (a search's last entry included).
    public var requestTimeout: Duration
    /// How long a server that could not be reached is passed over.
    public var retryAfter: Duration
    public var limits: LDAPClientSession.Limits
    /// The largest PDU accepted from a server.
    public var maximumMessageSize: Int
    /// The most bytes accepted in answer to one request (one page of a paged search).
    public var maximumResponseBytes: Int

    public init(
        urls: [LDAPURL], startTLS: Bool = false, tls: TLSConfiguration = .makeClientConfiguration(), bindDN: String? = nil,
        bindPassword: String = "", connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(10),
        retryAfter: Duration = .seconds(10), limits: LDAPClientSession.Limits = .init(), maximumMessageSize: Int = 2 << 20,
        maximumResponseBytes: Int = 64 << 20
    ) {
        self.urls = urls
        self.startTLS = startTLS
        self.tls = tls
        self.bindDN = bindDN
        self.bindPassword = bindPassword
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.retryAfter = retryAfter
        self.limits = limits
        self.maximumMessageSize = maximumMessageSize
        self.maximumResponseBytes = maximumResponseBytes
    }
}
