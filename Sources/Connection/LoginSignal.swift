import NIOCore

/// Tells the connection's timers once that the client has logged in
/// (`ConnectionActivity.authenticated`: the login deadline no longer applies).
public struct LoginSignal: Sendable {
    public private(set) var isSent = false

    public init() {}

    /// Sends `.authenticated` the first time `loggedIn` is true; later calls do nothing.
    public mutating func update(loggedIn: Bool, _ context: ChannelHandlerContext) {
        guard loggedIn, !isSent else { return }
        isSent = true
        context.triggerUserOutboundEvent(ConnectionActivity.authenticated, promise: nil)
    }
}
