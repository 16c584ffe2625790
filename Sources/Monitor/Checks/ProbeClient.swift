import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// Where a probe connects.
public struct ProbeTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// TLS from the first byte (ports 465, 993, 995; RFC 8314 §3).
    public var implicitTLS: Bool
    /// The whole probe (connect, dialogue, close) must finish within this many seconds.
    public var timeout: Double

    public init(host: String, port: Int, implicitTLS: Bool = false, timeout: Double = 10) {
        self.host = host
        self.port = port
        self.implicitTLS = implicitTLS
        self.timeout = timeout
    }

    /// `host:port`, IPv6 hosts in brackets.
    public var display: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// What one probe over the network gave.
public struct ProbeReport: Sendable {
    public var outcome: Result<ProbeOutcome, ProbeFailure>
    /// Seconds from starting to connect to the end of the dialogue.
    public var seconds: Double
    /// The server's leaf certificate (DER) when TLS was used.
    public var peerCertificate: [UInt8]?
}

/// Why a probe did not get to the end of its dialogue.
public enum ProbeFailure: Error, Sendable, Equatable {
    /// Nothing listens there (ECONNREFUSED).
    case refused(String)
    /// The probe ran out of time (`-t`).
    case timedOut(Double)
    /// Another network or TLS error, or the server hung up mid-dialogue.
    case network(String)
}

/// Runs a ``ProbeDialogue`` over a TCP connection (SwiftNIO, NIOSSL for TLS), with lines bounded to
/// ``MailProbe/maxLineLength`` and an overall timeout. Certificates are not verified: the probe
/// measures the service, `posta check certificate` judges the certificate.
public enum MailProbe {
    /// RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; IMAP lines can be longer (capabilities),
    /// so 8 KiB, far above both, still bounds what a hostile server can make the probe buffer.
    public static let maxLineLength = 8192

    public static func run(
        target: ProbeTarget, options: ProbeOptions, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async -> ProbeReport {
        let started = ContinuousClock.now
        func elapsed() -> Double {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        let timeout = TimeAmount.nanoseconds(Int64(max(0.001, target.timeout) * 1e9))
        let tls: NIOSSLContext
        do {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            tls = try NIOSSLContext(configuration: configuration)
        } catch {
            return ProbeReport(outcome: .failure(.network("TLS setup: \(error)")), seconds: elapsed(), peerCertificate: nil)
        }
        let sniName = Self.isIPAddress(target.host) ? nil : target.host
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: ProbeOutcome.self)
        let handlerBox = NIOLockedValueBox<ProbeHandler?>(nil)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = ProbeHandler(
                        dialogue: ProbeDialogue(options: options), promise: promise, tls: tls, serverHostname: sniName)
                    handlerBox.withLockedValue { $0 = handler }
                    if target.implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: tls, serverHostname: sniName))
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.fail(ProbeFailure.timedOut(target.timeout))
        }
        defer { timer.cancel() }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: target.host, port: target.port).get()
        } catch {
            promise.fail(ProbeFailure.network("unused"))
            return ProbeReport(outcome: .failure(Self.failure(error, target)), seconds: elapsed(), peerCertificate: nil)
        }
        let outcome: Result<ProbeOutcome, ProbeFailure>
        do {
            outcome = .success(try await promise.futureResult.get())
        } catch let failure as ProbeFailure {
            outcome = .failure(failure)
        } catch {
            outcome = .failure(Self.failure(error, target))
        }
        let seconds = elapsed()
        try? await channel.close().get()
        let certificate = try? await eventLoop.submit { handlerBox.withLockedValue { $0?.peerCertificate } }.get()
        return ProbeReport(outcome: outcome, seconds: seconds, peerCertificate: certificate ?? nil)
    }

    /// A connection error as one line: refused, timed out, or what the system said.
    static func failure(_ error: any Error, _ target: ProbeTarget) -> ProbeFailure {
        if let failure = error as? ProbeFailure { return failure }
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.isEmpty {
                return .network("cannot resolve \(target.host)")
            }
            let failures = connection.connectionErrors.map { failure($0.error, target) }
            return failures.first { if case .refused = $0 { true } else { false } } ?? failures[0]
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED {
            return .refused("connection refused on \(target.display)")
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return .timedOut(target.timeout)
        }
        if let io = error as? IOError {
            return .network("cannot connect to \(target.display): \(String(cString: strerror(io.errnoCode)))")
        }
        if let ssl = error as? NIOSSLError { return .network("TLS failed with \(target.display): \(ssl)") }
        if let channelError = error as? ChannelError {
            return .network("connection to \(target.display) failed: \(channelError)")
        }
        return .network("connection to \(target.display) failed: \(error)")
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}

/// Feeds the server's lines to the dialogue and carries out its actions on the channel.
final class ProbeHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var dialogue: ProbeDialogue
    private let promise: EventLoopPromise<ProbeOutcome>
    private let tls: NIOSSLContext
    private let serverHostname: String?
    private var buffer = ByteBuffer()
    private var finished = false
    /// Set between asking for TLS and its handshake: bytes then are plaintext nobody should act on.
    private var awaitingTLS = false
    /// Only touched on the channel's event loop.
    var peerCertificate: [UInt8]?

    init(dialogue: ProbeDialogue, promise: EventLoopPromise<ProbeOutcome>, tls: NIOSSLContext, serverHostname: String?) {
        self.dialogue = dialogue
        self.promise = promise
        self.tls = tls
        self.serverHostname = serverHostname
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished, !awaitingTLS else { return }
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        while !finished, !awaitingTLS {
            guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
                if buffer.readableBytes > MailProbe.maxLineLength {
                    fail(context, .network("server line longer than \(MailProbe.maxLineLength) bytes"))
                }
                return
            }
            let length = newline - buffer.readerIndex
            guard length <= MailProbe.maxLineLength else {
                return fail(context, .network("server line longer than \(MailProbe.maxLineLength) bytes"))
            }
            var bytes = buffer.readBytes(length: length + 1)!
            bytes.removeLast()
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            perform(context, dialogue.receive(String(decoding: bytes, as: UTF8.self)))
        }
        buffer.discardReadBytes()
    }

    private func perform(_ context: ChannelHandlerContext, _ actions: [ProbeAction]) {
        for action in actions {
            switch action {
            case .send(let line):
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: line + "\r\n")), promise: nil)
            case .startTLS:
                // Whatever the server sent after its go-ahead came before TLS: discard it (RFC 3207 §4.2).
                awaitingTLS = true
                buffer.clear()
                do {
                    try context.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: tls, serverHostname: serverHostname), position: .first)
                } catch {
                    fail(context, .network("cannot start TLS: \(error)"))
                }
            case .finish(let outcome):
                finished = true
                promise.succeed(outcome)
                context.close(promise: nil)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            if let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self) {
                peerCertificate = try? handler.peerCertificate?.toDERBytes()
            }
            if awaitingTLS {
                awaitingTLS = false
                perform(context, dialogue.tlsEstablished())
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished {
            finished = true
            promise.fail(ProbeFailure.network("the server closed the connection"))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure: ProbeFailure
        if let ssl = error as? NIOSSLError {
            failure = .network("TLS failed: \(ssl)")
        } else if let io = error as? IOError {
            failure = .network("connection failed: \(String(cString: strerror(io.errnoCode)))")
        } else {
            failure = .network("connection failed: \(error)")
        }
        fail(context, failure)
    }

    private func fail(_ context: ChannelHandlerContext, _ failure: ProbeFailure) {
        guard !finished else { return }
        finished = true
        promise.fail(failure)
        context.close(promise: nil)
    }
}
