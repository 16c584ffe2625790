import Hummingbird
import HummingbirdCore
import NIOCore

/// The request context of the HTTP listeners: Hummingbird's basics plus the client's address
/// (the metrics allow-list, the login throttle, the audit log).
public struct WebRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address, nil for a socket without one.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text, "unknown" for a socket without one.
    public var clientIP: String { remoteAddress?.ipAddress ?? "unknown" }
}
