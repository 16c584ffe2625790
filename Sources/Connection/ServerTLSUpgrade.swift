import Logging
import NIOCore
import NIOSSL

/// STARTTLS / STLS on a live server connection (RFC 3207, RFC 2595 §4): the TLS handler goes
/// first in the pipeline, and the handshake's completion arrives as a `TLSUserEvent`.
public enum ServerTLSUpgrade {
    /// Starts TLS on `context`'s channel; closes the connection (and returns false) when it cannot.
    @discardableResult
    public static func start(_ context: ChannelHandlerContext, tls: NIOSSLContext?, logger: Logger) -> Bool {
        guard let tls else {
            logger.error("TLS requested on a listener without a certificate")
            context.close(promise: nil)
            return false
        }
        do {
            try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            return true
        } catch {
            logger.error("cannot start TLS", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return false
        }
    }

    /// The negotiated protocol version, as trace headers name it (`TLSv1.3`), or nil before the
    /// handshake. NIOSSL does not expose the cipher suite's name.
    public static func protocolVersion(_ context: ChannelHandlerContext) -> String? {
        let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        return handler?.tlsVersion.map(name)
    }

    static func name(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv13: "TLSv1.3"
        case .tlsv12: "TLSv1.2"
        case .tlsv11: "TLSv1.1"
        case .tlsv1: "TLSv1"
        }
    }
}
