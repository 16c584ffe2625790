import NIOCore

/// Back-pressure for a protocol adapter: socket reads are held back while a protocol session waits
/// for an effect (a directory lookup, a disk write), while the peer does not read our replies (the
/// channel is not writable), and while input already read has not been handed to the session.
/// Input is handed to the session in small pieces, checking writability between pieces, so a client
/// that pipelines without reading costs at most one socket read of input plus the channel's
/// outbound high-water mark plus the replies to one piece — never memory in proportion to what it
/// sends.
///
/// Owned by one channel handler and used on its event loop, in this order:
/// - `read(context:)` → `read(_:)`;
/// - `channelRead` → `hold(_:)`, then drain: `while let piece = nextInput(context, …) { feed the session }`,
///   then `releaseHeldRead(_:)`;
/// - an effect starts → `pause()`; its result is in → `unpause()`, resume the session, drain, `releaseHeldRead(_:)`;
/// - `channelWritabilityChanged` → drain, `releaseHeldRead(_:)`;
/// - the session discards pipelined input (STARTTLS, RFC 3207 §4.2) → `discardInput()`.
public struct ReadGate: Sendable {
    public private(set) var isPaused = false
    private var readPending = false
    /// Read from the socket, not yet given to the session.
    private var backlog: ByteBuffer?

    /// The piece size `nextInput` uses by default: small enough that the replies to one piece of
    /// pipelined commands stay small, large enough for message content to flow.
    public static let defaultPieceSize = 4096

    public init() {}

    /// Bytes held and not yet handed to the session.
    public var heldByteCount: Int { backlog?.readableBytes ?? 0 }

    public mutating func read(_ context: ChannelHandlerContext) {
        if isPaused || heldByteCount > 0 || !context.channel.isWritable {
            readPending = true
        } else {
            context.read()
        }
    }

    public mutating func pause() { isPaused = true }

    public mutating func unpause() { isPaused = false }

    /// Issues the read held back, once nothing holds it back any more.
    public mutating func releaseHeldRead(_ context: ChannelHandlerContext) {
        guard readPending, !isPaused, heldByteCount == 0, context.channel.isWritable else { return }
        readPending = false
        context.read()
    }

    /// Keeps bytes read from the socket until `nextInput` hands them out.
    public mutating func hold(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        if backlog == nil || backlog!.readableBytes == 0 {
            backlog = buffer
        } else {
            var more = buffer
            backlog!.writeBuffer(&more)
        }
    }

    /// The next piece of held input for the session, or nil while paused, while the peer is not
    /// reading (channel not writable) or when nothing is held. A piece is at most `maxBytes`; with
    /// `wholeLines` it ends at the first LF within that size, so each command line is fed (and its
    /// reply written) before the next is looked at.
    public mutating func nextInput(_ context: ChannelHandlerContext, maxBytes: Int = defaultPieceSize, wholeLines: Bool) -> [UInt8]? {
        guard !isPaused, context.channel.isWritable, var held = backlog, held.readableBytes > 0 else { return nil }
        var length = min(held.readableBytes, max(1, maxBytes))
        if wholeLines, let lf = held.readableBytesView.prefix(length).firstIndex(of: 10) {
            length = lf - held.readerIndex + 1
        }
        let piece = held.readBytes(length: length) ?? []
        backlog = held.readableBytes > 0 ? held : nil
        return piece
    }

    /// Drops held input (bytes pipelined before a TLS handshake must never be executed after it).
    public mutating func discardInput() {
        backlog = nil
    }
}
