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
    /// ManageSieve (RFC 5804) with STARTTLS, port 4190: users manage their Sieve scripts.
    case managesieve

    /// The `tls` values this protocol allows.
    public var allowedTLSModes: [TLSMode] {
        switch self {
        case .smtp, .submission, .imap, .pop3, .lmtp, .managesieve: return [.none, .starttls]
        case .submissions, .imaps, .pop3s: return [.implicit]
        case .http: return [.none, .implicit]
        case .policy: return [.none]
        }
    }

    /// The budget this protocol's connections count against (`Limits.budget(_:)`).
    public var listenerClass: ListenerClass {
        switch self {
        case .smtp: .mx
        case .submission, .submissions: .submission
        case .imap, .imaps, .pop3, .pop3s, .managesieve: .mailbox
        case .lmtp, .http, .policy: .service
        }
    }

    /// Whether clients log in here, so that the login timeout and the command cap before login apply.
    public var expectsLogin: Bool { listenerClass == .submission || listenerClass == .mailbox }

    /// The `tls` value used when the listener has none.
    public var defaultTLSMode: TLSMode {
        switch self {
        case .smtp, .submission, .imap, .pop3, .managesieve: return .starttls
        case .submissions, .imaps, .pop3s: return .implicit
        case .lmtp, .http, .policy: return .none
        }
    }
}

/// Listener protocols grouped for the server-wide connection budget: a flood on port 25 cannot
/// take the connections of people reading or sending their mail.
public enum ListenerClass: String, Sendable, Hashable, CaseIterable {
    /// `smtp` (port 25, mail from the Internet).
    case mx
    /// `submission`, `submissions`.
    case submission
    /// `imap`, `imaps`, `pop3`, `pop3s`, `managesieve`.
    case mailbox
    /// `lmtp`, `policy`, `http`: other software of the site.
    case service

    /// Default share of `limits.max_connections`, in percent.
    var defaultSharePercent: Int {
        switch self {
        case .mx: 40
        case .submission: 20
        case .mailbox: 30
        case .service: 10
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
    /// `login_timeout`, or `limits.login_timeout` (used where `protocol.expectsLogin`).
    public var loginTimeout: ConfigDuration = .seconds(60)
    /// `max_commands_before_login`, or the `[limits]` value (used where `protocol.expectsLogin`).
    public var maxCommandsBeforeLogin = 50
    /// `allowed_clients`: the client networks that may connect; nil allows every client. Policy,
    /// LMTP and content-filter re-injection listeners (`filter = false`) default to loopback.
    public var allowedClients: [NetworkPrefix]?

    /// Loopback only: the default of `allowed_clients` where it has one.
    public static let loopback = ["127.0.0.0/8", "::1"].compactMap(NetworkPrefix.init(parsing:))

    /// Whether a client at `address` may connect.
    public func allows(_ address: String) -> Bool {
        guard let allowedClients else { return true }
        let key = ClientKey(address: address, ipv6PrefixLength: 128).description  // IPv4-mapped → IPv4
        return allowedClients.contains { $0.contains(key) }
    }
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
