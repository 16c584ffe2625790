import Connection
import Core
import Directory
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Store

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The SwiftNIO adapter of one POP3 connection: feeds bytes to the sans-I/O `POP3Session`,
/// performs its actions (responses, logins, streaming messages, UPDATE, STLS) and feeds results
/// back. Back-pressure (`ReadGate`): input goes to the session a command line at a time, and only
/// while no effect runs and the client reads our responses; otherwise reading from the socket
/// stops. The idle timer does not run while an effect (a login, a transfer) runs.
public final class POP3ServerHandler: ChannelDuplexHandler, RemovableChannelHandler, GatedSessionHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// RFC 1939 §3: the autologout timer is at least 10 minutes.
    public static let minimumAutologout: TimeAmount = .minutes(10)
    /// Bytes read from a message file at a time.
    public static let chunkSize = 64 * 1024

    /// The command being answered, for `posta_pop3_command_duration_seconds`.
    private var commandTimer = CommandTimer()
    private var session: POP3Session
    private let backend: POP3Backend
    private let tls: NIOSSLContext?
    private let logger: Logger
    private let clientIP: String
    private let protocolName: String
    private let threadPool: NIOThreadPool

    /// While an effect runs, the session waits and reads are held back.
    package var gate = ReadGate()
    private var waiting: Bool { gate.isPaused }
    private var closing = false
    package var stopsFeeding: Bool { closing }
    private var lease: MaildropLease?
    private var lastInput = NIODeadline.now()
    private var login = LoginSignal()

    public init(
        backend: POP3Backend, configuration: POP3Configuration, clientIP: String, isTLS: Bool, tls: NIOSSLContext?,
        protocolName: String, logger: Logger, threadPool: NIOThreadPool = .singleton
    ) {
        self.session = POP3Session(configuration: configuration, isTLS: isTLS)
        self.backend = backend
        self.tls = tls
        self.logger = logger
        self.clientIP = clientIP
        self.protocolName = protocolName
        self.threadPool = threadPool
    }

    // MARK: Channel events

    public func channelActive(context: ChannelHandlerContext) {
        logger.info("connect")
        perform(session.start(), context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        closing = true
        // A dropped connection never enters UPDATE (RFC 1939 §6): deletions are forgotten.
        lease?.releaseInBackground()
        lease = nil
        logger.info("disconnect")
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastInput = .now()
        gatedRead(unwrapInboundIn(data), context: context)
    }

    public func read(context: ChannelHandlerContext) {
        gate.read(context)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        drain(context: context)
        context.fireChannelWritabilityChanged()
    }

    /// A command line (see `GatedSessionHandler`).
    package func feed(_ line: [UInt8], context: ChannelHandlerContext) {
        commandTimer.start(POP3Metrics.commandName(line), counter: POP3Metrics.commands, histogram: POP3Metrics.commandDuration)
        perform(session.receive(line), context: context)
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ConnectionTimeout.loginDeadline as ConnectionTimeout:
            logger.info("login timeout")
            perform(session.loginTimeout(), context: context)
        case ConnectionTimeout.idle as ConnectionTimeout:
            // The listener's idle timeout may be shorter than RFC 1939's 10 minutes.
            guard !waiting, NIODeadline.now() - lastInput >= Self.minimumAutologout else { return }
            logger.info("autologout")
            perform(session.timeout(), context: context)
        case is ChannelShouldQuiesceEvent:
            perform(session.shutdown(), context: context)
        case is AccountSessionRevoked:
            perform(session.revoked(), context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Actions

    private func perform(_ actions: [POP3Action], context: ChannelHandlerContext) {
        var wrote = false
        for action in actions {
            switch action {
            case .send(let response):
                context.write(wrapOutboundOut(ByteBuffer(bytes: response.encode())), promise: nil)
                wrote = true
            case .continuation(let text):
                context.write(wrapOutboundOut(ByteBuffer(string: "+ \(text)\r\n")), promise: nil)
                wrote = true
            case .effect(let effect):
                if wrote { context.flush() }
                run(effect, context: context)
                return
            case .startTLS:
                // RFC 2595 §4: what was pipelined after STLS is dropped.
                wrote = false
                STARTTLSSwitch.start(context, tls: tls, discarding: &gate, logger: logger) { [self] in
                    perform(session.tlsEstablished(), context: context)
                }
            case .close:
                closing = true
                lease?.releaseInBackground()
                lease = nil
                commandTimer.finish(POP3Metrics.commandDuration)
                context.closeAfterFlush()
                return
            }
        }
        // No effect pending: the command (if any) is answered.
        commandTimer.finish(POP3Metrics.commandDuration)
        if wrote && !gate.isDraining { context.flush() }  // a drain flushes once at its end
    }

    /// Hands an effect's result to the session (the gate is unpaused already).
    private func resume(_ result: POP3EffectResult, context: ChannelHandlerContext) {
        lastInput = .now()
        guard !closing else { return }
        perform(session.resume(result), context: context)
        login.update(loggedIn: session.isInTransaction, context)
    }

    private func run(_ effect: POP3Effect, context: ChannelHandlerContext) {
        let backend = backend
        let logger = logger
        switch effect {
        case .login(let user, let password, let mechanism):
            let (clientIP, protocolName, channel) = (clientIP, protocolName, context.channel)
            var loginLogger = logger
            loginLogger[metadataKey: "mechanism"] = "\(mechanism)"
            let taskLogger = loginLogger
            runEffect(context) {
                await backend.login(
                    user: user, password: password, clientIP: clientIP, protocolName: protocolName, channel: channel,
                    logger: taskLogger)
            } resume: { handler, context, outcome in
                let (result, lease) = outcome
                if handler.closing {
                    lease?.releaseInBackground()
                    return
                }
                handler.lease = lease
                handler.resume(result, context: context)
            }
        case .update(let mailboxID, let uids):
            let lease = lease
            self.lease = nil
            runEffect(context) {
                await backend.update(mailboxID: mailboxID, uids: uids, lease: lease, logger: logger)
            } resume: {
                $0.resume($2, context: $1)
            }
        case .sendMessage(let transfer):
            // Streamed from the thread pool, chunk by chunk (not a task): `sent` resumes the session.
            gate.pause(context)
            send(transfer, context: context)
        }
    }

    /// The message transfer is over (or could not start).
    private func sent(_ result: POP3EffectResult, context: ChannelHandlerContext) {
        gate.unpause(context)
        resume(result, context: context)
        drain(context: context)
    }

    // MARK: Streaming messages (RFC 1939 §7 RETR and TOP)

    /// Reads up to `chunkSize` bytes at `offset`; opens the file first when `fd` is nil, closes
    /// it at end of file. Runs on the thread pool.
    private static func readChunk(path: String, fd: Int32?, offset: Int64, chunkSize: Int) throws -> (
        fd: Int32, bytes: [UInt8], eof: Bool
    ) {
        let descriptor: Int32
        if let fd {
            descriptor = fd
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw POP3FileError(code: errno) }
        }
        var bytes = [UInt8](repeating: 0, count: chunkSize)
        var filled = 0
        while filled < chunkSize {
            let n = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + filled, chunkSize - filled, off_t(offset) + off_t(filled))
            }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                closeFile(descriptor)
                throw POP3FileError(code: code)
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeSubrange(filled...)
        let eof = filled < chunkSize
        if eof { closeFile(descriptor) }
        return (descriptor, bytes, eof)
    }

    /// One RETR/TOP in progress; touched only on the event loop.
    private final class Transfer {
        let transfer: POP3Transfer
        var stuffer: POP3DotStuffer
        init(_ transfer: POP3Transfer) {
            self.transfer = transfer
            self.stuffer = POP3DotStuffer(bodyLineLimit: transfer.bodyLineLimit)
        }
    }

    private func send(_ transfer: POP3Transfer, context: ChannelHandlerContext) {
        readNext(Transfer(transfer), fd: nil, offset: 0, context: context)
    }

    private func readNext(_ state: Transfer, fd: Int32?, offset: Int64, context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context, state), eventLoop: context.eventLoop)
        let path = state.transfer.message.path
        let chunkSize = Self.chunkSize
        threadPool.runIfActive(eventLoop: context.eventLoop) {
            try Self.readChunk(path: path, fd: fd, offset: offset, chunkSize: chunkSize)
        }.whenComplete { outcome in
            let (handler, context, state) = bound.value
            handler.deliver(outcome, state: state, fd: fd, offset: offset, context: context)
        }
    }

    private func deliver(
        _ outcome: Result<(fd: Int32, bytes: [UInt8], eof: Bool), any Error>, state: Transfer, fd: Int32?, offset: Int64,
        context: ChannelHandlerContext
    ) {
        let read: (fd: Int32, bytes: [UInt8], eof: Bool)
        switch outcome {
        case .failure(let error):
            logger.error("cannot read message", metadata: ["path": "\(state.transfer.message.path)", "error": "\(error)"])
            if fd == nil {
                sent(.unavailable, context: context)
            } else {
                // The +OK is out: the response cannot be completed in-band.
                closing = true
                context.close(promise: nil)
            }
            return
        case .success(let value):
            read = value
        }
        if closing {
            if !read.eof { closeFile(read.fd) }
            return
        }
        var out: [UInt8] = fd == nil ? state.transfer.status.encode() : []
        out.reserveCapacity(out.count + read.bytes.count + read.bytes.count / 32 + 8)
        state.stuffer.encode(read.bytes, into: &out)
        let done = read.eof || state.stuffer.isComplete
        if done {
            if !read.eof { closeFile(read.fd) }
            out += state.stuffer.finish()
        }
        let written = context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: out)))
        if done {
            sent(.sent, context: context)
            return
        }
        // Back-pressure: the next chunk is read once this one is handed to the socket.
        let bound = NIOLoopBound((self, context, state), eventLoop: context.eventLoop)
        let nextOffset = offset + Int64(read.bytes.count)
        written.whenComplete { result in
            let (handler, context, state) = bound.value
            if case .failure = result {
                closeFile(read.fd)
                handler.closing = true
                context.close(promise: nil)
                return
            }
            if handler.closing {
                closeFile(read.fd)
                return
            }
            handler.readNext(state, fd: read.fd, offset: nextOffset, context: context)
        }
    }

}

struct POP3FileError: Error, CustomStringConvertible {
    var code: Int32
    var description: String { String(cString: strerror(code)) }
}

/// `close(2)`, named apart from `ChannelHandler.close`.
private func closeFile(_ fd: Int32) {
    _ = close(fd)
}
