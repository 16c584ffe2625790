import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PostaTestSupport
import Testing

@testable import SMTP

@Suite("SMTP client verified TLS: the chain must reach a trusted anchor and the certificate name the host")
struct ClientVerifiedTLSTests {
    /// Runs one delivery with required STARTTLS and a verifying context (anchors from `caFile`)
    /// against a server whose certificate is the self-signed `localhost` one.
    func deliver(caFile: (String) -> String, serverName: String?) async throws -> SMTPRecipientResult {
        let directory = NSTemporaryDirectory() + "posta-client-verify-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ClientTLSTests.makeCertificate(in: directory)
        let other = directory + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try ClientTLSTests.makeCertificate(in: other)
        let clientContext = try NIOSSLContext(configuration: .verifiedClient(caFile: caFile(directory)))
        let server = try await ClientTLSTests.startServer(certificateIn: directory)
        defer { server.close(promise: nil) }
        let session = SMTPClientSession(
            configuration: SMTPClientConfiguration(heloName: "client.posta.test", tlsPolicy: .required),
            envelope: OutboundEnvelope(reversePath: "a@posta.test", recipients: [.init(address: "b@tls.test")], size: 5))
        let result = try await SMTPClientConnection.deliver(
            host: "127.0.0.1", port: try #require(server.localAddress?.port), tls: clientContext, serverName: serverName,
            session: session, body: .bytes(Array("hello".utf8)), timeouts: .rfc5321(scaledBy: 0.02))
        return try #require(result.recipients.first)
    }

    @Test("trusted anchor and matching name: delivered over TLS")
    func verified() async throws {
        let result = try await deliver(caFile: { $0 + "/cert.pem" }, serverName: "localhost")
        #expect(result.outcome == .accepted(SMTPReply(250, .init(2, 0, 0), "queued over TLS")))
    }

    @Test("trusted anchor, another name: nothing sent, temporary failure")
    func wrongName() async throws {
        let result = try await deliver(caFile: { $0 + "/cert.pem" }, serverName: "mx.elsewhere.example")
        guard case .temporaryFailure = result.outcome else {
            Issue.record("\(result.outcome)")
            return
        }
        #expect(!result.fromServer)
    }

    @Test("an IP address is checked against the certificate's IP names (it has none)")
    func ipAddress() async throws {
        let result = try await deliver(caFile: { $0 + "/cert.pem" }, serverName: nil)
        guard case .temporaryFailure = result.outcome else {
            Issue.record("\(result.outcome)")
            return
        }
        #expect(!result.fromServer)
    }

    @Test("untrusted certificate (another anchor): nothing sent, temporary failure")
    func untrusted() async throws {
        let result = try await deliver(caFile: { $0 + "/other/cert.pem" }, serverName: "localhost")
        guard case .temporaryFailure = result.outcome else {
            Issue.record("\(result.outcome)")
            return
        }
        #expect(!result.fromServer)
    }

    @Test("a CA file that cannot be read fails when the context is made")
    func missingCAFile() {
        #expect(throws: (any Error).self) { try NIOSSLContext(configuration: .verifiedClient(caFile: "/nonexistent/ca.pem")) }
    }
}
