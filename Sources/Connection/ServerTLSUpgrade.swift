import NIOCore
import NIOSSL

/// What a server connection's TLS negotiated (see `STARTTLSSwitch` for starting it).
public enum ServerTLSUpgrade {
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
