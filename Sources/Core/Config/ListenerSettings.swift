/// The service a listener speaks (`protocol` in a `[[listener]]` table).
public enum ListenerProtocol: String, Sendable, Equatable, Hashable, CaseIterable {
    /// SMTP relay/MX, port 25.
    case smtp
    /// Message submission with STARTTLS, port 587 (RFC 6409).
    case submission
    /// Message submission over implicit TLS, port 465 (RFC 8314).
    case submissions
    /// IMAP with STARTTLS, port 143.
    case imap
    /// IMAP over implicit TLS, port 993.
    case imaps
    /// POP3 with STARTTLS (STLS), port 110.
    case pop3
    /// POP3 over implicit TLS, port 995.
    case pop3s
    /// Local delivery (RFC 2033).
    case lmtp
    /// HTTP API, health and metrics.
    case http
    /// Postfix-style policy delegation.
    case policy

    /// The `tls` values this protocol allows.
    public var allowedTLSModes: [TLSMode] {
        switch self {
        case .smtp, .submission, .imap, .pop3, .lmtp: return [.none, .starttls]
        case .submissions, .imaps, .pop3s: return [.implicit]
        case .http: return [.none, .implicit]
        case .policy: return [.none]
        }
    }

    /// The `tls` value used when the listener has none.
    public var defaultTLSMode: TLSMode {
        switch self {
        case .smtp, .submission, .imap, .pop3: return .starttls
        case .submissions, .imaps, .pop3s: return .implicit
        case .lmtp, .http, .policy: return .none
        }
    }
}

/// How a listener uses TLS (`tls` in a `[[listener]]` table).
public enum TLSMode: String, Sendable, Equatable, Hashable, CaseIterable {
    /// Plain text only.
    case none
    /// Plain text, upgraded on the client's request (STARTTLS/STLS).
    case starttls
    /// TLS from the first byte.
    case implicit
}

/// One `[[listener]]`, with the per-connection limits already resolved against `[limits]`.
public struct ListenerSettings: Sendable, Equatable {
    /// `protocol`.
    public var `protocol`: ListenerProtocol
    /// The host part of `address`: an IPv4 address, an IPv6 address (without brackets) or a host name.
    public var host: String
    /// The port part of `address`, 1...65535.
    public var port: Int
    /// `tls`, or the protocol's default.
    public var tls: TLSMode
    /// `max_connections`, or `limits.max_connections`.
    public var maxConnections: Int
    /// `max_connections_per_ip`, or `limits.max_connections_per_ip`.
    public var maxConnectionsPerIP: Int
    /// `idle_timeout`, or `limits.idle_timeout`.
    public var idleTimeout: ConfigDuration
    /// `filter`: whether mail received here goes through `[filter]` (false on the re-injection
    /// listener of an external content filter).
    public var filter = true
    /// The line of the `[[listener]]` header (0 when unknown), for messages at run time.
    public var line: Int

    public init(
        protocol: ListenerProtocol, host: String, port: Int, tls: TLSMode, maxConnections: Int,
        maxConnectionsPerIP: Int, idleTimeout: ConfigDuration, line: Int
    ) {
        self.protocol = `protocol`
        self.host = host
        self.port = port
        self.tls = tls
        self.maxConnections = maxConnections
        self.maxConnectionsPerIP = maxConnectionsPerIP
        self.idleTimeout = idleTimeout
        self.line = line
    }

    /// `address` as written back: `host:port`, IPv6 hosts in brackets.
    public var address: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
