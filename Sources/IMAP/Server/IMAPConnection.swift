import Logging
import NIOCore
import NIOSSL

/// Starts IMAP on an accepted connection: the NIO adapter goes into the pipeline and greets.
public enum IMAPConnection {
    /// Called on the channel's event loop by the listener.
    public static func start(
        on channel: any Channel, backend: IMAPBackend, configuration: IMAPConfiguration, clientIP: String, isTLS: Bool,
        tls: NIOSSLContext?, protocolName: String, logger: Logger
    ) throws {
        var configuration = configuration
        configuration.maxLoginFailures = backend.authenticator.maxFailuresPerConnection
        let handler = IMAPServerHandler(
            backend: backend, configuration: configuration, clientIP: clientIP, isTLS: isTLS, tls: tls,
            protocolName: protocolName, logger: logger)
        try channel.pipeline.syncOperations.addHandler(handler)
    }
}
