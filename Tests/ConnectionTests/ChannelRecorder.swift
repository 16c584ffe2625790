import Connection
import Logging
import NIOCore
import NIOEmbedded
import NIOSSL

/// Sits at the head of a test pipeline and records what the handlers after it ask of the
/// channel: activity events, flushes and reads.
final class ChannelRecorder: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = NIOAny

    var activity: [ConnectionActivity] = []
    var flushes = 0
    var reads = 0

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if let event = event as? ConnectionActivity { activity.append(event) }
        context.triggerUserOutboundEvent(event, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        flushes += 1
        context.flush()
    }

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// A handler that feeds lines to a list, pausing its gate on `PAUSE` (an effect that needs
/// `finishEffect`), running an effect task on `EFFECT` (its result is fed as `result 42`),
/// starting TLS on `STARTTLS` (after `220 go`) and answering other lines with `ok <line>`.
final class LineSession: ChannelDuplexHandler, GatedSessionHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var gate = ReadGate()
    var stopsFeeding = false
    var fed: [String] = []
    var context: ChannelHandlerContext?
    var tls: NIOSSLContext?
    var tlsStarted: Bool?
    var handshakes = 0

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        gatedRead(unwrapInboundIn(data), context: context)
    }

    func read(context: ChannelHandlerContext) {
        gate.read(context)
    }

    func feed(_ piece: [UInt8], context: ChannelHandlerContext) {
        let line = String(decoding: piece.filter { $0 != 13 && $0 != 10 }, as: UTF8.self)
        fed.append(line)
        if line == "STARTTLS" {
            tlsStarted = STARTTLSSwitch.start(
                context, tls: tls, after: ByteBuffer(string: "220 go\r\n"), discarding: &gate, logger: Logger(label: "test")
            ) { [self] in handshakes += 1 }
            return
        }
        context.write(wrapOutboundOut(ByteBuffer(string: "ok \(line)\r\n")), promise: nil)
        if line == "PAUSE" { gate.pause(context) }
        if line == "EFFECT" {
            runEffect(context) {
                42
            } resume: { handler, _, value in
                handler.fed.append("result \(value)")
            }
        }
        if line == "QUIT" { stopsFeeding = true }
    }

    func finishEffect() {
        guard let context else { return }
        gate.unpause(context)
        drain(context: context)
    }
}

extension EmbeddedChannel {
    /// Everything written so far, as text.
    func written() throws -> String {
        var text = ""
        while let buffer = try readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }
}
