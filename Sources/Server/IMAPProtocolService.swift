import Core
import IMAP
import NIOCore

/// Plugs the IMAP adapter into a listener: `imap` (143, STARTTLS) and `imaps` (993, implicit TLS).
///
/// Logins need TLS (STARTTLS or implicit) unless the listener is configured with `tls = "none"`
/// (e.g. behind a TLS-terminating proxy); until then `LOGINDISABLED` is advertised.
public struct IMAPProtocolService: ProtocolService {
    public let backend: IMAPBackend
    public let appendLimit: Int

    public init(backend: IMAPBackend, appendLimit: Int) {
        self.backend = backend
        self.appendLimit = appendLimit
    }

    public func initializeConnection(_ channel: any Channel, context: ConnectionContext) throws {
        let configuration = IMAPConfiguration(
            hostname: context.hostname, startTLSAvailable: context.tls != nil && context.listener.tls == .starttls,
            allowPlaintextAuth: context.listener.tls == .none, appendLimit: appendLimit,
            loginTimeout: .seconds(context.listener.loginTimeout.seconds),
            maxCommandsBeforeLogin: context.listener.maxCommandsBeforeLogin)
        try IMAPConnection.start(
            on: channel, backend: backend, configuration: configuration, clientIP: context.remoteIP,
            isTLS: context.isTLS, tls: context.tls, protocolName: context.listener.protocol.rawValue, logger: context.logger)
    }

    /// RFC 9051 §7.1.5: `* BYE` before closing a connection the server will not serve.
    public func refusal(_ reason: RefusalReason, hostname: String) -> String? {
        switch reason {
        case .serverFull: "* BYE [UNAVAILABLE] \(hostname) too many connections, try again later\r\n"
        case .tooManyFromClient: "* BYE [UNAVAILABLE] \(hostname) too many connections from your address\r\n"
        case .shuttingDown: "* BYE [UNAVAILABLE] \(hostname) server shutting down\r\n"
        case .notAllowed: "* BYE \(hostname) access denied\r\n"
        }
    }
}
