import Logging
import NIOCore
import NIOSSL

/// Starts IMAP on an accepted connection: the NIO adapter goes into the pipeline and the
/// session runs in its own task until the connection ends.
public enum IMAPConnection {
    /// Called on the channel's event loop by the listener.
    public static func start(
        on channel: any Channel, backend: IMAPBackend, configuration: IMAPConfiguration, clientIP: String, isTLS: Bool,
        tls: NIOSSLContext?, protocolName: String, logger: Logger
    ) throws {
        let limits = IMAPFramer.Limits(maxLiteralSize: configuration.appendLimit)
        let handler = IMAPServerHandler(
            limits: limits, maxCommandsBeforeLogin: configuration.maxCommandsBeforeLogin, logger: logger)
        try channel.pipeline.syncOperations.addHandler(handler)
        let transport = IMAPChannelTransport(channel: channel, handler: handler, tls: tls, logger: logger)
        Task {
            let session = IMAPSession(
                transport: transport, backend: backend, configuration: configuration, clientIP: clientIP, isTLS: isTLS,
                protocolName: protocolName, logger: logger)
            logger.info("connect")
            await session.run()
            logger.info("disconnect")
        }
    }
}
