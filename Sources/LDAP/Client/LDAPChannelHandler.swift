import NIOCore
import NIOSSL

/// What a StartTLS request needs to put TLS in place the moment the server agrees.
struct LDAPTLSUpgrade {
    var context: NIOSSLContext
    var serverName: String?
}

/// One request handed to the channel: the handler numbers it and completes `promise` with the
/// answer (nil for requests that get none: unbind, abandon).
struct LDAPChannelRequest {
    var op: LDAPProtocolOp
    var controls: [LDAPControl]
    var promise: EventLoopPromise<LDAPResponse>?
    /// Told the message ID the request got, so a timeout can forget it.
    var numbered: (@Sendable (Int32) -> Void)?
    /// Set on a StartTLS request (RFC 4511 §4.14).
    var tlsUpgrade: LDAPTLSUpgrade? = nil
}

/// The thin NIO adapter over `LDAPClientSession` and `LDAPFrameDecoder`: bytes in, answers out.
/// Any protocol error closes the connection and fails every outstanding request.
final class LDAPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = LDAPChannelRequest
    typealias OutboundOut = ByteBuffer

    private var session: LDAPClientSession
    private var frames: LDAPFrameDecoder
    private var promises: [Int32: EventLoopPromise<LDAPResponse>] = [:]
    private var failure: LDAPClientError?
    private var tlsUpgrades: [Int32: LDAPTLSUpgrade] = [:]
    /// Bytes received so far for each outstanding request, against `maximumResponseBytes`.
    private var received: [Int32: Int] = [:]
    private let maximumResponseBytes: Int

    init(limits: LDAPClientSession.Limits, maximumMessageSize: Int, maximumResponseBytes: Int) {
        self.maximumResponseBytes = maximumResponseBytes
        session = LDAPClientSession(limits: limits)
        frames = LDAPFrameDecoder(maximumMessageSize: maximumMessageSize)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise?.fail(failure)
            promise?.fail(failure)
            return
        }
        do {
            let (id, bytes) = try session.start(request.op, controls: request.controls)
            if let answer = request.promise { promises[id] = answer }
            if let upgrade = request.tlsUpgrade { tlsUpgrades[id] = upgrade }
            request.numbered?(id)
            context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: promise)
        } catch {
            let error = LDAPClientError.protocolError("cannot encode the request: \(error)")
            request.promise?.fail(error)
            promise?.fail(error)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard failure == nil else { return }
        frames.append(buffer.readableBytesView)
        buffer.moveReaderIndex(to: buffer.writerIndex)
        do {
            while let pdu = try frames.next() {
                let message = try LDAPMessage(decoding: pdu[...])
                if promises[message.messageID] != nil {
                    let total = received[message.messageID, default: 0] + pdu.count
                    guard total <= maximumResponseBytes else { throw LDAPClientError.tooManyResults(maximumResponseBytes) }
                    received[message.messageID] = total
                }
                switch try session.receive(message) {
                case .completed(let id, let response)?:
                    received[id] = nil
                    if let upgrade = tlsUpgrades.removeValue(forKey: id), response.result.code == .success {
                        try startTLS(upgrade, context: context)
                    }
                    promises.removeValue(forKey: id)?.succeed(response)
                case .disconnection(let result)?:
                    fail(.result(result), context: context)
                case nil:
                    break
                }
            }
        } catch let error as LDAPClientError {
            fail(error, context: context)
        } catch {
            fail(.protocolError("\(error)"), context: context)
        }
    }

    /// RFC 4511 §4.14.1: TLS begins right after the StartTLS response, so TLS goes under this
    /// handler before anything else is read. Bytes that came with the response were sent in the
    /// clear after the server agreed to TLS: someone in the path injected them (CVE-2011-0411's
    /// kind), and the connection is dropped.
    private func startTLS(_ upgrade: LDAPTLSUpgrade, context: ChannelHandlerContext) throws {
        guard frames.bufferedCount == 0 else {
            throw LDAPClientError.tls("the server sent data in the clear after agreeing to StartTLS")
        }
        try context.pipeline.syncOperations.addHandler(
            NIOSSLClientHandler(context: upgrade.context, serverHostname: upgrade.serverName), position: .first)
    }

    /// Forgets request `id` after its timeout; its promise has been failed by the caller.
    func forget(_ id: Int32) {
        session.forget(id)
        promises[id] = nil
        tlsUpgrades[id] = nil
        received[id] = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed, context: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is NIOSSLError || error is BoringSSLError {
            fail(.tls("\(error)"), context: context)
        } else {
            fail(.connectionClosed, context: context)
        }
    }

    private func fail(_ error: LDAPClientError, context: ChannelHandlerContext?) {
        if failure == nil { failure = error }
        let waiting = promises
        promises = [:]
        for (_, promise) in waiting { promise.fail(error) }
        context?.close(promise: nil)
    }
}
