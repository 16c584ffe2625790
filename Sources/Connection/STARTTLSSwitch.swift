import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// STARTTLS / STLS on a live server connection (RFC 3207 §4.2, RFC 2595 §3.1 and §4, RFC 9051
/// §6.2.1): the protocol handler asks `start` once the positive reply to the command is written;
/// the switch drops the plaintext the client pipelined after the command (it must never be taken
/// as sent under TLS — CVE-2011-0411 and relatives), flushes the reply, puts TLS first in the
/// pipeline and sits right after it until the handshake completes, then calls the handler back
/// (on the event loop) and leaves the pipeline.
///
/// Input that reaches the switch before the handshake has completed is dropped too: nothing
/// received before the handshake counts.
public final class STARTTLSSwitch: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = NIOAny

    private var handshakeCompleted: (() -> Void)?

    private init(handshakeCompleted: @escaping () -> Void) {
        self.handshakeCompleted = handshakeCompleted
    }

    /// Starts TLS after `response` (if any; whatever was written before is flushed too). Input
    /// held in `gate` is discarded. `handshakeCompleted` runs once the handshake is done. Returns
    /// false (after closing the connection) when TLS cannot start.
    @discardableResult
    public static func start(
        _ context: ChannelHandlerContext, tls: NIOSSLContext?, after response: ByteBuffer? = nil, discarding gate: inout ReadGate,
        logger: Logger, handshakeCompleted: @escaping () -> Void
    ) -> Bool {
        gate.discardInput()
        return start(context, tls: tls, after: response, logger: logger, discard: {}, handshakeCompleted: handshakeCompleted)
    }

    /// The same for an adapter that holds input elsewhere (a framer): `discard` drops it.
    @discardableResult
    public static func start(
        _ context: ChannelHandlerContext, tls: NIOSSLContext?, after response: ByteBuffer? = nil, logger: Logger,
        discard: () -> Void, handshakeCompleted: @escaping () -> Void
    ) -> Bool {
        discard()
        if let response { context.write(NIOAny(response), promise: nil) }
        context.flush()  // the reply goes out in plaintext, before TLS is in place
        guard let tls else {
            logger.error("TLS requested on a listener without a certificate")
            context.close(promise: nil)
            return false
        }
        do {
            let handler = NIOSSLServerHandler(context: tls)
            let pipeline = context.pipeline.syncOperations
            try pipeline.addHandler(handler, position: .first)
            try pipeline.addHandler(STARTTLSSwitch(handshakeCompleted: handshakeCompleted), position: .after(handler))
            return true
        } catch {
            logger.error("cannot start TLS", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return false
        }
    }

    /// Whether the handshake this switch waits for is still going on.
    public var isWaiting: Bool { handshakeCompleted != nil }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard handshakeCompleted == nil else { return }
        context.fireChannelRead(data)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .handshakeCompleted = event as? TLSUserEvent, let done = handshakeCompleted else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        handshakeCompleted = nil
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        done()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        handshakeCompleted = nil  // the handler it calls back may hold the connection
    }
}
