import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// Reply timeouts for the client (RFC 5321 §4.5.3.2), multiplied by `factor` (tests use a small one).
public struct SMTPClientTimeouts: Sendable, Hashable {
    public var connect: TimeAmount = .seconds(30)
    /// §4.5.3.2.1: initial 220 message, 5 minutes.
    public var greeting: TimeAmount = .minutes(5)
    /// §4.5.3.2.2/3: MAIL and RCPT, 5 minutes (also used for EHLO, HELO, STARTTLS, QUIT).
    public var command: TimeAmount = .minutes(5)
    /// §4.5.3.2.4: DATA initiation, 2 minutes.
    public var dataInitiation: TimeAmount = .minutes(2)
    /// §4.5.3.2.5: each data block written, 3 minutes.
    public var dataBlock: TimeAmount = .minutes(3)
    /// §4.5.3.2.6: reply to the final ".", 10 minutes.
    public var dataTermination: TimeAmount = .minutes(10)

    public init() {}

    /// Every timeout multiplied by `factor`.
    public static func rfc5321(scaledBy factor: Double = 1) -> SMTPClientTimeouts {
        var t = SMTPClientTimeouts()
        func scale(_ value: TimeAmount) -> TimeAmount {
            .nanoseconds(Int64(Double(value.nanoseconds) * factor))
        }
        t.connect = scale(t.connect)
        t.greeting = scale(t.greeting)
        t.command = scale(t.command)
        t.dataInitiation = scale(t.dataInitiation)
        t.dataBlock = scale(t.dataBlock)
        t.dataTermination = scale(t.dataTermination)
        return t
    }

    func forWaiting(_ state: SMTPClientWaitState) -> TimeAmount {
        switch state {
        case .greeting: greeting
        case .data: dataInitiation
        case .dataTermination: dataTermination
        case .ehlo, .helo, .startTLS, .tlsHandshake, .mail, .rcpt, .quit, .rset, .idle, .auth: command
        }
    }
}

/// Where the message content comes from.
public enum SMTPMessageSource: Sendable, Hashable {
    case bytes([UInt8])
    /// A file read in chunks on `NIOThreadPool.singleton`, after `prefix` (header fields added on top).
    case file(path: String, prefix: [UInt8] = [])
}

/// The NIO driver for `SMTPClientSession`: connects, performs the session's actions, applies the
/// timeouts and puts TLS in front for STARTTLS. A session with `keepsConnection` leaves the
/// connection open after each transaction for `send` (connection reuse) until `close`.
public final class SMTPClientConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Runs `body` with the connection's handler on its event loop (nil once it is gone).
    private func onHandler<T: Sendable>(_ body: @escaping @Sendable (SMTPClientHandler?) -> T)
        -> EventLoopFuture<T>
    {
        channel.eventLoop.submit { [channel] in
            body(try? channel.pipeline.syncOperations.handler(type: SMTPClientHandler.self))
        }
    }

    /// Runs one delivery and closes. Connection failures after the session started are folded
    /// into the result (temporary failures); only a failed connect throws.
    public static func deliver(
        host: String, port: Int, tls: NIOSSLContext?, serverName: String?, session: SMTPClientSession,
        body: SMTPMessageSource, timeouts: SMTPClientTimeouts = .rfc5321(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        verifyCertificates: CertificateCheck? = nil
    ) async throws -> SMTPDeliveryResult {
        let (connection, result) = try await open(
            host: host, port: port, tls: tls, serverName: serverName, session: session, body: body,
            timeouts: timeouts,
            group: group, verifyCertificates: verifyCertificates)
        await connection.close()
        return result
    }

    /// Decides whether the server's certificates (leaf first, as sent) are acceptable, instead of
    /// NIOSSL's chain and name checks (DANE, RFC 7672 §3). Only called when `tls` was made with a
    /// `certificateVerification` other than `.none`.
    public typealias CertificateCheck = @Sendable ([NIOSSLCertificate]) -> Bool

    /// Connects and runs the session's first transaction; the connection stays open when the
    /// session keeps it (see `isIdle`).
    public static func open(
        host: String, port: Int, tls: NIOSSLContext?, serverName: String?, session: SMTPClientSession,
        body: SMTPMessageSource, timeouts: SMTPClientTimeouts = .rfc5321(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, verifyCertificates: CertificateCheck? = nil
    ) async throws -> (SMTPClientConnection, SMTPDeliveryResult) {
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: SMTPDeliveryResult.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(timeouts.connect)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            SMTPClientHandler(
                                session: session, body: body, tls: tls, serverName: serverName, timeouts: timeouts,
                                promise: promise, verifyCertificates: verifyCertificates))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            promise.fail(error)  // the handler may hold it: no promise may leak
            throw error
        }
        do {
            return (SMTPClientConnection(channel: channel), try await Self.result(promise, closing: channel))
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// The session waits for another transaction on this open connection.
    public func isIdle() async -> Bool {
        (try? await onHandler { $0?.isIdle ?? false }.get()) ?? false
    }

    /// Another transaction on an idle connection (RSET, then the envelope and `body`).
    public func send(_ envelope: OutboundEnvelope, body: SMTPMessageSource) async throws
        -> SMTPDeliveryResult
    {
        let promise = channel.eventLoop.makePromise(of: SMTPDeliveryResult.self)
        _ = onHandler { [channel] handler in
            guard let handler, handler.isIdle else {
                promise.fail(SMTPClientConnectionError(description: "connection is not idle"))
                return
            }
            handler.begin(envelope, body: body, promise: promise, channel: channel)
        }
        return try await Self.result(promise, closing: channel)
    }

    /// Waits for a transaction's result; cancelling the waiting task closes the connection, which
    /// ends the transaction at once (its recipients fail temporarily) instead of at a timeout.
    private static func result(_ promise: EventLoopPromise<SMTPDeliveryResult>, closing channel: any Channel) async throws
        -> SMTPDeliveryResult
    {
        try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Says QUIT when idle and waits until the connection is closed.
    public func close() async {
        _ = onHandler { [channel] handler in
            if let handler { handler.end(channel: channel) } else { channel.close(promise: nil) }
        }
        try? await channel.closeFuture.get()
    }
}

/// Error thrown when the handler goes away without a result (should not happen).
public struct SMTPClientConnectionError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Event-loop-confined: every method runs on the channel's event loop.
final class SMTPClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var session: SMTPClientSession
    private var body: SMTPMessageSource
    private let tls: NIOSSLContext?
    private let serverName: String?
    private let timeouts: SMTPClientTimeouts
    private let verifyCertificates: SMTPClientConnection.CertificateCheck?
    private var promise: EventLoopPromise<SMTPDeliveryResult>
    private var timer: Scheduled<Void>?
    private var completed = false
    private var closing = false
    /// Bumped on every timer change so a stale firing is ignored.
    private var timerGeneration = 0

    init(
        session: SMTPClientSession, body: SMTPMessageSource, tls: NIOSSLContext?, serverName: String?,
        timeouts: SMTPClientTimeouts, promise: EventLoopPromise<SMTPDeliveryResult>,
        verifyCertificates: SMTPClientConnection.CertificateCheck? = nil
    ) {
        self.verifyCertificates = verifyCertificates
        self.session = session
        self.body = body
        self.tls = tls
        self.serverName = serverName
        self.timeouts = timeouts
        self.promise = promise
    }

    var isIdle: Bool { session.waitState == .idle && !closing }

    /// Starts the next transaction of a kept connection (on the event loop, when idle).
    func begin(
        _ envelope: OutboundEnvelope, body: SMTPMessageSource,
        promise: EventLoopPromise<SMTPDeliveryResult>, channel: any Channel
    ) {
        self.body = body
        self.promise = promise
        completed = false
        guard let context = try? channel.pipeline.syncOperations.context(handler: self) else {
            promise.fail(SMTPClientConnectionError(description: "connection handler gone"))
            return
        }
        perform(session.nextTransaction(envelope), context: context)
    }

    /// QUIT on an idle connection; closes one in any other state.
    func end(channel: any Channel) {
        if closing || session.waitState == .quit { return }  // its reply (or the timer) closes
        guard isIdle, let context = try? channel.pipeline.syncOperations.context(handler: self) else {
            if !closing {
                closing = true
                cancelTimer()
                channel.close(promise: nil)
            }
            return
        }
        perform(session.end(), context: context)
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context, timeouts.greeting)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        perform(session.receive(bytes), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        perform(session.connectionClosed(), context: context)
        if !completed {
            completed = true
            promise.fail(SMTPClientConnectionError(description: "connection closed without a result"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        perform(session.connectionClosed(reason: "Connection failed: \(error)"), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            perform(session.tlsEstablished(), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func perform(_ actions: [SMTPClientAction], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let bytes):
                context.writeAndFlush(
                    wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
            case .startTLS:
                guard let tls else {
                    perform(
                        session.connectionClosed(reason: "STARTTLS without a TLS context"), context: context)
                    return
                }
                do {
                    let handler: NIOSSLClientHandler
                    if let verifyCertificates {
                        handler = try NIOSSLClientHandler(
                            context: tls, serverHostname: serverName,
                            customVerificationCallback: { certificates, promise in
                                promise.succeed(verifyCertificates(certificates) ? .certificateVerified : .failed)
                            })
                    } else {
                        handler = try NIOSSLClientHandler(context: tls, serverHostname: serverName)
                    }
                    try context.pipeline.syncOperations.addHandler(handler, position: .first)
                } catch {
                    perform(session.connectionClosed(reason: "TLS setup failed: \(error)"), context: context)
                    return
                }
            case .sendMessageData:
                sendMessage(context: context)
            case .finished(let result):
                if !completed {
                    completed = true
                    promise.succeed(result)
                }
            case .close:
                cancelTimer()
                if !closing {
                    closing = true
                    context.close(promise: nil)
                }
            }
        }
        if session.waitState == .idle {
            cancelTimer()
        } else if let state = session.waitState, !closing {
            // The data-block timer runs while the body is written; the others on each wait.
            if state != .dataTermination || !writingData {
                arm(context: context, timeouts.forWaiting(state))
            }
        }
    }

    private var writingData = false

    private func sendMessage(context: ChannelHandlerContext) {
        switch body {
        case .bytes(let content):
            let data = SMTPDataEncoder.encodeMessage(content)
            context.writeAndFlush(
                wrapOutboundOut(context.channel.allocator.buffer(bytes: data)), promise: nil)
        case .file(let path, let prefix):
            writingData = true
            arm(context: context, timeouts.dataBlock)
            let loop = context.eventLoop
            let channel = context.channel
            let handler = NIOLoopBound(self, eventLoop: loop)
            let done = NIOThreadPool.singleton.runIfActive(eventLoop: loop) { () throws -> Void in
                guard let file = FileHandle(forReadingAtPath: path) else {
                    throw SMTPClientConnectionError(description: "cannot open \(path)")
                }
                defer { try? file.close() }
                var encoder = SMTPDataEncoder()
                var pending = prefix.isEmpty ? nil : Data(prefix)
                while true {
                    let chunk = try pending.take() ?? file.read(upToCount: 64 * 1024) ?? Data()
                    let encoded = chunk.isEmpty ? encoder.finish() : encoder.encode(chunk)
                    // Waiting on the write keeps at most one chunk in flight (back-pressure).
                    try loop.flatSubmit {
                        handler.value.arm(channel: channel, handler.value.timeouts.dataBlock)
                        return channel.writeAndFlush(ByteBuffer(bytes: encoded))
                    }.wait()
                    if chunk.isEmpty { return }
                }
            }
            done.whenComplete { result in
                let this = handler.value
                this.writingData = false
                switch result {
                case .success:
                    if this.session.waitState == .dataTermination {
                        this.arm(channel: channel, this.timeouts.dataTermination)
                    }
                case .failure(let error):
                    // Content that cannot be read is not the remote's fault: closing mid-data
                    // makes the server discard the message (RFC 5321 §4.1.1.4).
                    let actions = this.session.connectionClosed(
                        reason: "Message content unavailable: \(error)")
                    this.performOnChannel(actions, channel: channel)
                }
            }
        }
    }

    private func performOnChannel(_ actions: [SMTPClientAction], channel: Channel) {
        for action in actions {
            if case .finished(let result) = action, !completed {
                completed = true
                promise.succeed(result)
            }
        }
        closing = true
        cancelTimer()
        channel.close(promise: nil)
    }

    private func arm(context: ChannelHandlerContext, _ amount: TimeAmount) {
        arm(channel: context.channel, amount)
    }

    private func arm(channel: Channel, _ amount: TimeAmount) {
        cancelTimer()
        timerGeneration += 1
        let generation = timerGeneration
        let handler = NIOLoopBound(self, eventLoop: channel.eventLoop)
        timer = channel.eventLoop.scheduleTask(in: amount) {
            let this = handler.value
            guard this.timerGeneration == generation, !this.closing else { return }
            this.performOnChannel(this.session.timedOut(), channel: channel)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerGeneration += 1
    }
}
