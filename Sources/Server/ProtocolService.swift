import Core
import Logging
import NIOCore
import NIOSSL

/// What a protocol module (SMTP, IMAP, POP3, policy…) plugs into a TCP listener.
///
/// The listener owns sockets, connection limits, implicit TLS, idle timeouts and draining; the
/// service only adds its own handlers to each accepted connection.
public protocol ProtocolService: Sendable {
    /// Adds this protocol's handlers to a newly accepted connection. Called on the channel's
    /// event loop; for implicit-TLS listeners the TLS handler is already first in the pipeline.
    ///
    /// Handlers may consume `ConnectionTimeout` (to say goodbye, e.g. SMTP `421 4.4.2`) and
    /// `ChannelShouldQuiesceEvent` (server shutting down); unconsumed, both close the connection.
    /// They send `ConnectionActivity` outbound: `.busy`/`.ready` around work on a command (the idle
    /// timer does not run meanwhile), `.authenticated` after a login.
    func initializeConnection(_ channel: any Channel, context: ConnectionContext) throws

    /// What to write to a client refused for capacity before closing, e.g.
    /// `"421 4.7.0 mx.example.org Too many connections, try later\r\n"`; nil to just close.
    func refusal(_ reason: RefusalReason, hostname: String) -> String?
}

/// Why a connection was refused before the protocol started.
public enum RefusalReason: Sendable, Equatable {
    case serverFull
    case tooManyFromClient
    case shuttingDown
    /// The client's address is not in the listener's `allowed_clients`.
    case notAllowed
}

/// Everything a protocol handler knows about its connection when it starts.
public struct ConnectionContext: Sendable {
    /// Short id for log lines, unique in this process.
    public let sessionID: String
    public let listener: ListenerSettings
    public let hostname: String
    public let remoteAddress: SocketAddress?
    public let localAddress: SocketAddress?
    /// The server TLS context, for STARTTLS (nil when the site has no certificate).
    public let tls: NIOSSLContext?
    /// Whether the connection is already encrypted (implicit TLS).
    public let isTLS: Bool
    public let logger: Logger

    /// The client's IP address as text (no port), or "unknown"; per-client limits count it by its
    /// `ClientKey` (an IPv6 client by its prefix).
    public var remoteIP: String { remoteAddress?.ipAddress ?? "unknown" }
}
