import NIOCore

/// A channel handler that feeds a sans-I/O session through a `ReadGate`: it bridges bytes and runs
/// the session's effects; this extension does the gating glue every such handler needs —
/// `channelRead` holds input and drains, `read` is gated, writability changes drain — so a handler
/// only says how input is cut (`nextPiece`) and what a piece does (`feed`).
///
/// Calling order (on the event loop): `gatedRead(_:context:)` from `channelRead`, `gate.read(_:)`
/// from `read`, `drain(context:)` from `channelWritabilityChanged`; `runEffect` for an effect that
/// runs as a task (or, for one that does not, `gate.pause(context)` before it and
/// `gate.unpause(context)`, resume, `drain` after it).
package protocol GatedSessionHandler: AnyObject, ChannelHandler, SendableMetatype {
    var gate: ReadGate { get set }
    /// The connection is closing: nothing more is read or fed.
    var stopsFeeding: Bool { get }
    /// How the next piece of held input is cut (asked before each piece, so a session that switches
    /// between command lines and content gets the right size).
    func nextPiece(context: ChannelHandlerContext) -> ReadGate.PieceShape
    /// Hands one piece to the session and performs what it asks.
    func feed(_ piece: [UInt8], context: ChannelHandlerContext)
    /// Hands the session the next unit of input already taken from the gate but not yet fed (a
    /// framer's next complete command, when a piece held several); false when there is none. Asked
    /// before each new piece, only while the gate would hand one out. Default: there is none.
    func feedBuffered(context: ChannelHandlerContext) -> Bool
}

extension ReadGate {
    /// How `nextInput` cuts a piece: at most `maxBytes`, ending at the first LF with `wholeLines`.
    public struct PieceShape: Sendable, Hashable {
        public var maxBytes: Int
        public var wholeLines: Bool

        public init(maxBytes: Int = ReadGate.defaultPieceSize, wholeLines: Bool) {
            self.maxBytes = maxBytes
            self.wholeLines = wholeLines
        }

        /// One command line at a time (each line's reply is written before the next is looked at).
        public static let lines = PieceShape(wholeLines: true)
    }
}

extension GatedSessionHandler {
    package func nextPiece(context: ChannelHandlerContext) -> ReadGate.PieceShape { .lines }

    package func feedBuffered(context: ChannelHandlerContext) -> Bool { false }

    /// `channelRead`: keeps the bytes and feeds what the session can take now.
    package func gatedRead(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        guard !stopsFeeding else { return }
        gate.hold(buffer)
        drain(context: context)
    }

    /// Feeds held input to the session while the gate lets it (see `ReadGate`); output is flushed
    /// once, at the end. When the turn was used up, drains again after `ReadGate.turnPause`.
    package func drain(context: ChannelHandlerContext) {
        gate.isDraining = true
        while !stopsFeeding {
            if gate.mayFeed(context), feedBuffered(context: context) { continue }
            let shape = nextPiece(context: context)
            guard let piece = gate.nextInput(context, maxBytes: shape.maxBytes, wholeLines: shape.wholeLines) else { break }
            feed(piece, context: context)
        }
        gate.endTurn(context, handler: self) { $0.drain(context: $1) }
        gate.isDraining = false
        context.flush()
    }

    /// Runs a session's effect as a task: reads stop and the timers hear `busy` until its result is
    /// in; then, on the event loop, they hear `ready`, `resume` hands the result to the session,
    /// and held input is drained.
    package func runEffect<Result: Sendable>(
        _ context: ChannelHandlerContext, _ work: @escaping @Sendable () async -> Result,
        resume: @escaping (Self, ChannelHandlerContext, Result) -> Void
    ) {
        gate.pause(context)
        let bound = NIOLoopBound((self, context, resume), eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask(work).whenSuccess { result in
            let (handler, context, resume) = bound.value
            handler.gate.unpause(context)
            resume(handler, context, result)
            handler.drain(context: context)
        }
    }
}
