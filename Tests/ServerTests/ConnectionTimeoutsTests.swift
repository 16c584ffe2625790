import Connection
import NIOCore
import NIOEmbedded
import Testing

/// Records the timeouts that reach the protocol's place in the pipeline.
final class TimeoutRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var events: [ConnectionTimeout] = []

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let timeout = event as? ConnectionTimeout { events.append(timeout) }
    }
}

@Suite("Connection timers: idle, login deadline, stalled writes")
struct ConnectionTimeoutsTests {
    static func channel(idle: Int64 = 10, login: Int64? = nil) throws -> (EmbeddedChannel, TimeoutRecorder) {
        let recorder = TimeoutRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ConnectionTimeouts(idle: .seconds(idle), loginTimeout: login.map { .seconds($0) }))
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, recorder)
    }

    @Test func silenceFiresIdleAndInputPostponesIt() throws {
        let (channel, recorder) = try Self.channel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        try channel.writeInbound(ByteBuffer(string: "NOOP\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(6))
        #expect(recorder.events.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(recorder.events == [.idle])
    }

    /// Issue #12 item 14: a command the server works on longer than the idle timeout (end of DATA
    /// waiting for fsync or a filter) must not time the waiting client out — it would send the
    /// accepted message again. After the reply, the client gets a full idle timeout.
    @Test func busyServerIsNotAnIdleClient() throws {
        let (channel, recorder) = try Self.channel()
        channel.pipeline.triggerUserOutboundEvent(ConnectionActivity.busy, promise: nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(35))
        #expect(recorder.events.isEmpty)
        channel.pipeline.triggerUserOutboundEvent(ConnectionActivity.ready, promise: nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(recorder.events.isEmpty)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(recorder.events == [.idle])
    }

    @Test func loginDeadlineCountsFromTheStartHoweverBusyTheLineIs() throws {
        let (channel, recorder) = try Self.channel(idle: 10, login: 30)
        for _ in 0..<7 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(5))
            try channel.writeInbound(ByteBuffer(string: "CAPA\r\n"))
        }
        #expect(recorder.events == [.loginDeadline])
    }

    @Test func loginDeadlineWaitsForACommandInProgressAndSparesTheLoggedIn() throws {
        let (channel, recorder) = try Self.channel(idle: 100, login: 30)
        channel.pipeline.triggerUserOutboundEvent(ConnectionActivity.busy, promise: nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(40))
        #expect(recorder.events.isEmpty)
        channel.pipeline.triggerUserOutboundEvent(ConnectionActivity.ready, promise: nil)
        #expect(recorder.events == [.loginDeadline])

        let (other, otherRecorder) = try Self.channel(idle: 100, login: 30)
        other.pipeline.triggerUserOutboundEvent(ConnectionActivity.authenticated, promise: nil)
        other.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(otherRecorder.events.isEmpty)
    }

    @Test func aPeerThatReadsNothingIsClosed() throws {
        let (channel, _) = try Self.channel(idle: 10)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }
}

/// Hands held input out in pieces, with the gate's calling order.
final class GatedReader: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    var gate = ReadGate()
    var pieces: [String] = []
    /// Drains that ended with the turn used up.
    var turnsUsedUp = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        gate.hold(unwrapInboundIn(data))
        drain(context)
    }

    func read(context: ChannelHandlerContext) {
        gate.read(context)
    }

    func drain(_ context: ChannelHandlerContext) {
        while let piece = gate.nextInput(context, maxBytes: 8, wholeLines: true) {
            pieces.append(String(decoding: piece, as: UTF8.self))
        }
        if gate.endTurn(context) { turnsUsedUp += 1 }
    }
}

/// Counts reads that reach the head of the pipeline.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var count = 0
    func read(context: ChannelHandlerContext) {
        count += 1
        context.read()
    }
}

@Suite("Read gate: back-pressure")
struct ReadGateTests {
    @Test func piecesAreLinesAndStopWhileThePeerDoesNotRead() throws {
        let counter = ReadCounter()
        let reader = GatedReader()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(reader)
        channel.isWritable = false
        try channel.writeInbound(ByteBuffer(string: "A\r\nBB\r\nCCCCCCCCCCCC\r\n"))
        #expect(reader.pieces.isEmpty && reader.gate.heldByteCount == 21)
        channel.read()
        #expect(counter.count == 0)  // held back: the peer does not read our replies

        channel.isWritable = true
        let context = try channel.pipeline.syncOperations.context(handler: reader)
        reader.drain(context)
        #expect(reader.pieces == ["A\r\n", "BB\r\n", "CCCCCCCC", "CCCC\r\n"])
        #expect(counter.count == 1)  // the held read goes out once everything is used up

        reader.gate.pause()
        try channel.writeInbound(ByteBuffer(string: "D\r\n"))
        channel.read()
        #expect(reader.pieces.count == 4 && counter.count == 1)
        reader.gate.unpause()
        reader.drain(context)
        #expect(reader.pieces.last == "D\r\n" && counter.count == 2)
    }

    /// A connection that pipelines a lot yields its event loop to the others between turns.
    @Test func aTurnEndsAfterItsPieces() throws {
        let reader = GatedReader()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(reader)
        try channel.writeInbound(ByteBuffer(string: String(repeating: "N\n", count: 600)))
        #expect(reader.pieces.count == ReadGate.piecesPerTurn && reader.turnsUsedUp == 1)
        let context = try channel.pipeline.syncOperations.context(handler: reader)
        while reader.pieces.count < 600 { reader.drain(context) }
        #expect(reader.turnsUsedUp == 600 / ReadGate.piecesPerTurn)
    }
}
