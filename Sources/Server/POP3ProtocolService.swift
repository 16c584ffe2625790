import Core
import NIOCore
import POP3

/// Plugs the POP3 adapter into a listener: `pop3` (110, STLS) and `pop3s` (995, implicit TLS).
///
/// Logins need TLS (STLS or implicit) unless the listener is configured with `tls = "none"`
/// (e.g. behind a TLS-terminating proxy), which allows USER/PASS and AUTH in plain text.
public struct POP3ProtocolService: ProtocolService {
    public let backend: POP3Backend

    public init(backend: POP3Backend) {
        self.backend = backend
    }

    public func initializeConnection(_ channel: any Channel, context: ConnectionContext) throws {
        let configuration = POP3Configuration(
            hostname: context.hostname, stlsAvailable: context.tls != nil && context.listener.tls == .starttls,
            allowPlaintextAuth: context.listener.tls == .none,
            maxCommandsBeforeLogin: context.listener.maxCommandsBeforeLogin,
            maxAuthFailures: backend.authenticator.maxFailuresPerConnection)
        try channel.pipeline.syncOperations.addHandler(
            POP3ServerHandler(
                backend: backend, configuration: configuration, clientIP: context.remoteIP, isTLS: context.isTLS,
                tls: context.tls, protocolName: context.listener.protocol.rawValue, logger: context.logger))
    }

    /// RFC 2449 §8.1.2 / RFC 3206: `-ERR [SYS/TEMP]` and close for a server that cannot serve now.
    public func refusal(_ reason: RefusalReason, hostname: String) -> String? {
        switch reason {
        case .serverFull: "-ERR [SYS/TEMP] \(hostname) too many connections, try again later\r\n"
        case .tooManyFromClient: "-ERR [SYS/TEMP] \(hostname) too many connections from your address, try again later\r\n"
        case .shuttingDown: "-ERR [SYS/TEMP] \(hostname) server shutting down\r\n"
        case .notAllowed: "-ERR [SYS/PERM] \(hostname) access denied\r\n"
        }
    }
}
