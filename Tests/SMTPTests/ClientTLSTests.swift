import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PostaTestSupport
import Testing

@testable import SMTP

#if canImport(Glibc)
    import Glibc
#endif

/// A scripted ESMTP server that offers STARTTLS and records whether the transaction ran over TLS.
final class ScriptedTLSServer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let tls: NIOSSLContext
    private var buffer: [UInt8] = []
    private var onTLS = false
    private var inData = false

    init(tls: NIOSSLContext) { self.tls = tls }

    func channelActive(context: ChannelHandlerContext) {
        send("220 tls.test ESMTP\r\n", context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer += incoming.readBytes(length: incoming.readableBytes) ?? []
        while let lf = buffer.firstIndex(of: 10) {
            let line = String(decoding: buffer[..<lf], as: UTF8.self).replacingOccurrences(of: "\r", with: "")
            buffer.removeFirst(lf + 1)
            handle(line, context: context)
        }
    }

    private func handle(_ line: String, context: ChannelHandlerContext) {
        if inData {
            if line == "." {
                inData = false
                send(onTLS ? "250 2.0.0 queued over TLS\r\n" : "250 2.0.0 queued in plaintext\r\n", context: context)
            }
            return
        }
        switch line.uppercased().prefix(4) {
        case "EHLO":
            send(
                onTLS ? "250-tls.test\r\n250 PIPELINING\r\n" : "250-tls.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n",
                context: context)
        case "STAR":
            send("220 2.0.0 Ready to start TLS\r\n", context: context)
            onTLS = true
            try! context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
        case "MAIL", "RCPT": send("250 ok\r\n", context: context)
        case "DATA":
            inData = true
            send("354 go\r\n", context: context)
        case "QUIT":
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "221 bye\r\n"))).whenComplete { _ in
                channel.close(promise: nil)
            }
        default: send("500 what\r\n", context: context)
        }
    }

    private func send(_ text: String, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: text)), promise: nil)
    }
}

@Suite("SMTP client STARTTLS through the NIO driver")
struct ClientTLSTests {
    /// A throwaway self-signed certificate for "localhost", made by the openssl command.
    static func makeCertificate(in directory: String) throws {
        let openssl = try ChildProcess(
            path: "/usr/bin/openssl",
            arguments: [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            ],
            logPath: directory + "/openssl.log")
        openssl.waitForExit()
        guard FileManager.default.fileExists(atPath: directory + "/cert.pem") else {
            throw SinkError("openssl failed: \((try? String(contentsOfFile: directory + "/openssl.log", encoding: .utf8)) ?? "")")
        }
    }

    /// A `ScriptedTLSServer` on a loopback port with the certificate of `makeCertificate(in:)`.
    static func startServer(certificateIn directory: String) async throws -> any Channel {
        let serverContext = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(directory + "/cert.pem").map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: directory + "/key.pem", format: .pem))))
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedTLSServer(tls: serverContext))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @Test("opportunistic STARTTLS: upgrade, EHLO again, deliver over TLS")
    func startTLS() async throws {
        let directory = NSTemporaryDirectory() + "posta-client-tls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.makeCertificate(in: directory)
        var clientConfiguration = TLSConfiguration.makeClientConfiguration()
        clientConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(directory + "/cert.pem"))
        let clientContext = try NIOSSLContext(configuration: clientConfiguration)

        let server = try await Self.startServer(certificateIn: directory)
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)

        let session = SMTPClientSession(
            configuration: SMTPClientConfiguration(heloName: "client.posta.test", tlsPolicy: .required),
            envelope: OutboundEnvelope(
                reversePath: "a@posta.test", recipients: [.init(address: "b@tls.test")], size: 5))
        let result = try await SMTPClientConnection.deliver(
            host: "127.0.0.1", port: port, tls: clientContext, serverName: "localhost", session: session,
            body: .bytes(Array("hello".utf8)), timeouts: .rfc5321(scaledBy: 0.02))
        #expect(result.usedTLS)
        #expect(!result.capabilities.startTLS)
        #expect(result.recipients.map(\.outcome) == [.accepted(SMTPReply(250, .init(2, 0, 0), "queued over TLS"))])
    }
}
