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
///   then `endTurn(_:)`, and when it says so drain again after `turnPause` (a connection gets
///   `piecesPerTurn` pieces per turn, so one that pipelines a lot cannot starve the others sharing
///   its event loop; NIO runs ready tasks until none is left before it looks at sockets again, so
///   the next turn must be scheduled in the future, not submitted at once) — `GatedSessionHandler`
///   does all of this for a handler that feeds a session;
/// - an effect starts → `pause(context)`; its result is in → `unpause(context)`, resume the session,
///   drain (these overloads also tell the connection's timers, `ConnectionActivity.busy`/`.ready`);
/// - `channelWritabilityChanged` → drain;
/// - the session discards pipelined input (STARTTLS, RFC 3207 §4.2) → `discardInput()`, which
///   `STARTTLSSwitch.start` calls.
public struct ReadGate: Sendable {
    public private(set) var isPaused = false
    /// A drain is feeding held input: output is flushed once at its end, not once per reply.
    public internal(set) var isDraining = false
    private var readPending = false
    /// Read from the socket, not yet given to the session.
    private var backlog: ByteBuffer?
    private var piecesThisTurn = 0
    private var turnUsedUp = false

    /// Pieces handed out before `nextInput` ends the turn: a whole command read, so only input left
    /// over from a content-sized read needs another turn.
    public static let piecesPerTurn = 256
    /// How long a connection whose turn was used up waits, letting the event loop serve sockets.
    public static let turnPause: TimeAmount = .milliseconds(10)

    /// Bytes read from a socket per event-loop tick while a connection sends commands. Listeners
    /// read once per tick (`maxMessagesPerRead` 1), so the kernel's socket buffer, not our memory,
    /// queues what a client pipelines, and every connection on a loop gets its turn before one
    /// gets more (NIO serves ready tasks until none is left before it polls sockets again, so a
    /// large backlog cannot be spread over later ticks by tasks without starving the others).
    public static let commandReadSize = 256
    /// The read sizes while a client sends message content (DATA, BDAT, literals).
    public static let contentReads = AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 * 1024, maximum: 64 * 1024)

    /// Switches the channel's read size between command lines and message content.
    public static func readContent(_ content: Bool, _ context: ChannelHandlerContext) {
        let allocator: any RecvByteBufferAllocator =
            content ? contentReads : FixedSizeRecvByteBufferAllocator(capacity: commandReadSize)
        _ = context.channel.setOption(ChannelOptions.recvAllocator, value: allocator)
    }

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

    /// An effect starts: reads stop, and the idle timer stops (the client waits for us).
    public mutating func pause(_ context: ChannelHandlerContext) {
        pause()
        context.triggerUserOutboundEvent(ConnectionActivity.busy, promise: nil)
    }

    /// The effect's result is in: reads may go on, and the idle clock starts again now.
    public mutating func unpause(_ context: ChannelHandlerContext) {
        unpause()
        context.triggerUserOutboundEvent(ConnectionActivity.ready, promise: nil)
    }

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

    /// Whether the session may take input now: no effect runs and the client reads our responses.
    public func mayFeed(_ context: ChannelHandlerContext) -> Bool { !isPaused && context.channel.isWritable }

    /// The next piece of held input for the session, or nil while paused, while the peer is not
    /// reading (channel not writable) or when nothing is held. A piece is at most `maxBytes`; with
    /// `wholeLines` it ends at the first LF within that size, so each command line is fed (and its
    /// reply written) before the next is looked at.
    public mutating func nextInput(
        _ context: ChannelHandlerContext, maxBytes: Int = defaultPieceSize, wholeLines: Bool
    ) -> [UInt8]? {
        guard mayFeed(context), var held = backlog, held.readableBytes > 0 else { return nil }
        guard piecesThisTurn < Self.piecesPerTurn else {
            turnUsedUp = true
            return nil
        }
        piecesThisTurn += 1
        var length = min(held.readableBytes, max(1, maxBytes))
        if wholeLines, let lf = held.readableBytesView.prefix(length).firstIndex(of: 10) {
            length = lf - held.readerIndex + 1
        }
        let piece = held.readBytes(length: length) ?? []
        backlog = held.readableBytes > 0 ? held : nil
        return piece
    }

    /// Ends a drain: issues the held read if nothing holds it back any more. True when the turn
    /// was used up with input left: drain again from a later event-loop task.
    public mutating func endTurn(_ context: ChannelHandlerContext) -> Bool {
        piecesThisTurn = 0
        if turnUsedUp {
            turnUsedUp = false
            return true
        }
        releaseHeldRead(context)
        return false
    }

    /// `endTurn(_:)`, then — when the turn was used up — `drain(handler, context)` again after
    /// `turnPause`, on the event loop.
    public mutating func endTurn<Handler: ChannelHandler>(
        _ context: ChannelHandlerContext, handler: Handler, drain: @escaping (Handler, ChannelHandlerContext) -> Void
    ) {
        guard endTurn(context) else { return }
        let next = NIOLoopBound({ drain(handler, context) }, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.turnPause) { next.value() }
    }

    /// Drops held input (bytes pipelined before a TLS handshake must never be executed after it).
    public mutating func discardInput() {
        backlog = nil
    }
}

extension ChannelHandlerContext {
    /// Writes `goodbye` (if any), flushes and closes once it is sent — at once when the peer is not
    /// reading our output (the channel is not writable): no goodbye could reach it, and waiting for
    /// the write would keep its connection open.
    public func closeAfterFlush(_ goodbye: ByteBuffer = ByteBuffer()) {
        let channel = channel
        guard channel.isWritable else {
            channel.close(promise: nil)
            return
        }
        writeAndFlush(NIOAny(goodbye)).whenComplete { _ in channel.close(promise: nil) }
    }
}
