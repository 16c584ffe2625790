import NIOCore

/// Holds back socket reads while a protocol session waits for an effect (a directory lookup, a
/// disk write), so that a client pipelining ahead cannot make the server buffer without bound.
///
/// Owned by one channel handler and used on its event loop: call `read(_:)` from the handler's
/// `read(context:)`, `pause()` when an effect starts, `unpause()` when its result is in, and —
/// once the session has processed the result (and perhaps paused again) —
/// `releaseHeldRead(_:)`.
public struct ReadGate: Sendable {
    public private(set) var isPaused = false
    private var readPending = false

    public init() {}

    public mutating func read(_ context: ChannelHandlerContext) {
        if isPaused {
            readPending = true
        } else {
            context.read()
        }
    }

    public mutating func pause() { isPaused = true }

    public mutating func unpause() { isPaused = false }

    /// Issues the read held back during the pause, unless a new pause began meanwhile.
    public mutating func releaseHeldRead(_ context: ChannelHandlerContext) {
        guard !isPaused, readPending else { return }
        readPending = false
        context.read()
    }
}
