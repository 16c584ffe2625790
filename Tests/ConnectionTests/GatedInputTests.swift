import Connection
import NIOCore
import NIOEmbedded
import Testing

func activeChannel() throws -> (EmbeddedChannel, ChannelRecorder, LineSession) {
    let recorder = ChannelRecorder()
    let session = LineSession()
    let channel = EmbeddedChannel()
    try channel.pipeline.syncOperations.addHandlers([recorder, session])
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
    return (channel, recorder, session)
}

@Suite("Connection: gated input, activity events, login signal")
struct GatedInputTests {
    @Test func pauseAndUnpauseTellTheTimers() throws {
        let (channel, recorder, session) = try activeChannel()
        let context = try channel.pipeline.syncOperations.context(handler: session)
        var gate = ReadGate()
        gate.pause(context)
        #expect(gate.isPaused)
        #expect(recorder.activity == [.busy])
        gate.unpause(context)
        #expect(!gate.isPaused)
        #expect(recorder.activity == [.busy, .ready])
        // The plain forms say nothing.
        gate.pause()
        gate.unpause()
        #expect(recorder.activity == [.busy, .ready])
    }

    @Test func piecesEndAtLineEndsAndAreFlushedOnce() throws {
        let (channel, recorder, session) = try activeChannel()
        let before = recorder.flushes
        try channel.writeInbound(ByteBuffer(string: "A\r\nBB\r\nC"))
        #expect(session.fed == ["A", "BB", "C"])  // each line its own piece; the rest as it is
        #expect(recorder.flushes == before + 1)
        #expect(try channel.written() == "ok A\r\nok BB\r\nok C\r\n")
    }

    @Test func anEffectHoldsInputAndReadsUntilItsResult() throws {
        let (channel, recorder, session) = try activeChannel()
        try channel.writeInbound(ByteBuffer(string: "PAUSE\r\nB\r\nC\r\n"))
        #expect(session.fed == ["PAUSE"])
        #expect(recorder.activity == [.busy])
        let reads = recorder.reads
        channel.read()
        #expect(recorder.reads == reads)  // held back: input is waiting
        session.finishEffect()
        #expect(session.fed == ["PAUSE", "B", "C"])
        #expect(recorder.activity == [.busy, .ready])
        #expect(recorder.reads == reads + 1)  // the held read goes out once the input is used up
    }

    @Test func runEffectHoldsInputUntilTheResultIsResumed() async throws {
        let channel = NIOAsyncTestingChannel()
        let recorder = ChannelRecorder()
        let session = LineSession()
        try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addHandlers([recorder, session])
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25))
        try await channel.writeInbound(ByteBuffer(string: "EFFECT\r\nB\r\n"))
        for _ in 0..<500 {
            await channel.testingEventLoop.run()
            if try await channel.testingEventLoop.executeInContext({ session.fed.count }) == 3 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        // The result went to the session before the input held meanwhile.
        #expect(try await channel.testingEventLoop.executeInContext { session.fed } == ["EFFECT", "result 42", "B"])
        #expect(try await channel.testingEventLoop.executeInContext { recorder.activity } == [.busy, .ready])
        _ = try? await channel.finish()
    }

    @Test func aTurnEndsAfterItsPiecesAndTheRestFollowsLater() throws {
        let (channel, _, session) = try activeChannel()
        let lines = (0..<(ReadGate.piecesPerTurn + 44)).map { "L\($0)\r\n" }.joined()
        try channel.writeInbound(ByteBuffer(string: lines))
        #expect(session.fed.count == ReadGate.piecesPerTurn)
        channel.embeddedEventLoop.advanceTime(by: ReadGate.turnPause)
        #expect(session.fed.count == ReadGate.piecesPerTurn + 44)
    }

    @Test func nothingIsFedOnceTheHandlerStops() throws {
        let (channel, _, session) = try activeChannel()
        try channel.writeInbound(ByteBuffer(string: "A\r\nQUIT\r\nB\r\n"))
        try channel.writeInbound(ByteBuffer(string: "C\r\n"))
        #expect(session.fed == ["A", "QUIT"])
    }

    @Test func theLoginIsSignalledOnce() throws {
        let (channel, recorder, session) = try activeChannel()
        let context = try channel.pipeline.syncOperations.context(handler: session)
        var login = LoginSignal()
        login.update(loggedIn: false, context)
        #expect(recorder.activity.isEmpty && !login.isSent)
        login.update(loggedIn: true, context)
        login.update(loggedIn: true, context)
        #expect(recorder.activity == [.authenticated])
    }
}
