import Connection
import NIOCore
import NIOEmbedded
import NIOSSL
import NIOTLS
import Testing

/// RFC 3207 §4.2, RFC 2595 §3.1: bytes received after STARTTLS/STLS and before the handshake
/// are discarded; the reply goes out in plaintext; the handler is called back after the handshake.
@Suite("Connection: the STARTTLS switch")
struct STARTTLSSwitchTests {
    /// A TLS context is enough to build the server handler; no handshake happens in these tests.
    static func context() throws -> NIOSSLContext {
        try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    @Test func plaintextPipelinedAfterSTARTTLSIsDiscarded() throws {
        let (channel, _, session) = try activeChannel()
        session.tls = try Self.context()
        try channel.writeInbound(
            ByteBuffer(string: "NOOP\r\nSTARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@example.org>\r\n"))
        #expect(session.fed == ["NOOP", "STARTTLS"])
        #expect(session.tlsStarted == true)
        #expect(session.gate.heldByteCount == 0)
        // Replies up to and including STARTTLS's went out in plaintext, before TLS was in place.
        #expect(try channel.written() == "ok NOOP\r\n220 go\r\n")
        let sync = channel.pipeline.syncOperations
        #expect((try? sync.handler(type: NIOSSLServerHandler.self)) != nil)
        #expect((try? sync.handler(type: STARTTLSSwitch.self)) != nil)

        // What the TLS handler passes on before its handshake has completed is dropped.
        let tlsContext = try sync.context(handlerType: NIOSSLServerHandler.self)
        tlsContext.fireChannelRead(NIOAny(ByteBuffer(string: "DATA\r\n")))
        #expect(session.fed == ["NOOP", "STARTTLS"])
        #expect(session.handshakes == 0)

        tlsContext.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        #expect(session.handshakes == 1)
        #expect((try? sync.handler(type: STARTTLSSwitch.self)) == nil)  // it left the pipeline
        tlsContext.fireChannelRead(NIOAny(ByteBuffer(string: "EHLO again\r\n")))
        #expect(session.fed == ["NOOP", "STARTTLS", "EHLO again"])
        tlsContext.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        #expect(session.handshakes == 1)
        _ = try? channel.finish()
    }

    @Test func withoutACertificateTheConnectionCloses() throws {
        let (channel, _, session) = try activeChannel()
        try channel.writeInbound(ByteBuffer(string: "STARTTLS\r\nNOOP\r\n"))
        #expect(session.tlsStarted == false)
        #expect(!channel.isActive)
        #expect(session.fed == ["STARTTLS"])
        #expect((try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)) == nil)
    }
}
