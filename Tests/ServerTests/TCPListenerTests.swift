import Core
import Logging
import NIOCore
import NIOSSL
import PostaTestSupport
import Server
import ServiceLifecycle
import Testing

@Suite("TCP listener: limits, idle timeout, implicit TLS, draining")
struct TCPListenerTests {
    static func settings(
        tls: TLSMode = .none, maxConnections: Int = 100, perIP: Int = 100, idle: Int64 = 60
    ) -> ListenerSettings {
        ListenerSettings(
            protocol: .smtp, host: "127.0.0.1", port: 0, tls: tls, maxConnections: maxConnections,
            maxConnectionsPerIP: perIP, idleTimeout: .seconds(idle), line: 1)
    }

    /// Runs `listener` in a service group for the duration of `body`, then shuts it down gracefully.
    static func running(
        _ listener: TCPListener, _ body: @Sendable (Int) async throws -> Void
    ) async throws {
        let group = ServiceGroup(services: [listener], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await listener.boundAddress().port!
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func listener(
        _ settings: ListenerSettings, service: some ProtocolService = EchoService(),
        serverMax: Int = 1000, tls: NIOSSLContext? = nil, drain: TimeAmount = .seconds(5)
    ) -> TCPListener {
        TCPListener(
            settings: settings, service: service, budget: ConnectionBudget(limits: Limits(maxConnections: serverMax)), tls: tls,
            hostname: "mx.test", logger: Logger(label: "test"), drainTimeout: drain)
    }

    @Test func servesConnections() async throws {
        try await Self.running(Self.listener(Self.settings())) { port in
            let client = try await TestClient.connect(port: port)
            try await client.waitFor("hello\r\n")
            try await client.send("ping\r\n")
            try await client.waitFor("ping\r\n")
            await client.close()
        }
    }

    @Test func refusesOverPerIPLimitWithProtocolReply() async throws {
        try await Self.running(Self.listener(Self.settings(perIP: 2))) { port in
            let a = try await TestClient.connect(port: port)
            let b = try await TestClient.connect(port: port)
            try await a.waitFor("hello")
            try await b.waitFor("hello")
            let c = try await TestClient.connect(port: port)
            try await c.waitForClose()
            #expect(c.text == "busy tooManyFromClient mx.test\r\n")
            // A slot freed is a slot available again.
            await a.close()
            try await Task.sleep(for: .milliseconds(100))
            let d = try await TestClient.connect(port: port)
            try await d.waitFor("hello")
            await b.close()
            await d.close()
        }
    }

    @Test func refusesOverServerLimit() async throws {
        try await Self.running(Self.listener(Self.settings(), serverMax: 1)) { port in
            let a = try await TestClient.connect(port: port)
            try await a.waitFor("hello")
            let b = try await TestClient.connect(port: port)
            try await b.waitForClose()
            #expect(b.text == "busy serverFull mx.test\r\n")
            await a.close()
        }
    }

    @Test func refusesClientsOutsideTheAllowList() async throws {
        var settings = Self.settings()
        settings.allowedClients = [NetworkPrefix(parsing: "10.0.0.0/8")!]
        try await Self.running(Self.listener(settings)) { port in
            let c = try await TestClient.connect(port: port)
            try await c.waitForClose()
            #expect(c.text == "busy notAllowed mx.test\r\n")
        }
    }

    /// Issue #12 item 4: a port-25 flood cannot take the slots of mailbox users.
    @Test func aFullListenerClassLeavesTheOthersTheirSlots() async throws {
        let budget = ConnectionBudget(limits: Limits(maxConnections: 10))  // mx 4, mailbox 3
        var imapSettings = Self.settings()
        imapSettings.protocol = .imap
        let mx = TCPListener(
            settings: Self.settings(), service: EchoService(), budget: budget, tls: nil, hostname: "mx.test",
            logger: Logger(label: "test"))
        let imap = TCPListener(
            settings: imapSettings, service: EchoService(), budget: budget, tls: nil, hostname: "mx.test",
            logger: Logger(label: "test"))
        let group = ServiceGroup(services: [mx, imap], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let mxPort = try await mx.boundAddress().port!
            let imapPort = try await imap.boundAddress().port!
            var open: [TestClient] = []
            for _ in 0..<4 {
                let c = try await TestClient.connect(port: mxPort)
                try await c.waitFor("hello")
                open.append(c)
            }
            let refused = try await TestClient.connect(port: mxPort)
            try await refused.waitForClose()
            #expect(refused.text == "busy serverFull mx.test\r\n")
            let reader = try await TestClient.connect(port: imapPort)
            try await reader.waitFor("hello")
            await reader.close()
            for c in open { await c.close() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func ipv6ClientsAreCountedPerPrefix() {
        let budget = ConnectionBudget(limits: Limits())
        let listener = ConnectionLimiter(maxTotal: 100)
        #expect(listener.acquire(budget.key("2001:db8:0:1::a"), maxPerClient: 2))
        #expect(listener.acquire(budget.key("2001:db8:0:1::b"), maxPerClient: 2))
        #expect(!listener.acquire(budget.key("2001:db8:0:1:ffff::c"), maxPerClient: 2))
        #expect(listener.acquire(budget.key("2001:db8:0:2::a"), maxPerClient: 2))
        #expect(listener.acquire(budget.key("::ffff:192.0.2.1"), maxPerClient: 1))
        #expect(!listener.acquire(budget.key("192.0.2.1"), maxPerClient: 1))
    }

    @Test func idleConnectionsAreClosed() async throws {
        try await Self.running(Self.listener(Self.settings(idle: 1))) { port in
            let client = try await TestClient.connect(port: port)
            try await client.waitFor("hello")
            try await client.waitForClose(seconds: 3)
        }
    }

    @Test func drainTimeoutEndsStuckConnections() async throws {
        // A protocol that ignores the shutdown request is cut off after the drain timeout.
        struct Stubborn: ProtocolService {
            func initializeConnection(_ channel: any Channel, context: ConnectionContext) throws {
                try channel.pipeline.syncOperations.addHandler(Swallow())
            }
            func refusal(_ reason: RefusalReason, hostname: String) -> String? { nil }
        }
        final class Swallow: ChannelInboundHandler, Sendable {
            typealias InboundIn = ByteBuffer
            func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {}
        }
        let listener = Self.listener(Self.settings(), service: Stubborn(), drain: .milliseconds(300))
        let group = ServiceGroup(services: [listener], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await listener.boundAddress().port!
            let client = try await TestClient.connect(port: port)
            try await Task.sleep(for: .milliseconds(100))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try await client.waitForClose(seconds: 3)
        }
    }

    @Test func implicitTLSWithDevelopmentCertificate() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (certificate, key) = try DevelopmentCertificate.make()
        try certificate.write(toFile: folder.path + "/cert.pem", atomically: true, encoding: .utf8)
        try key.write(toFile: folder.path + "/key.pem", atomically: true, encoding: .utf8)
        let server = try ServerTLS.makeContext(
            TLSSettings(certificatePath: folder.path + "/cert.pem", keyPath: folder.path + "/key.pem"))
        var clientConfiguration = TLSConfiguration.makeClientConfiguration()
        clientConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)))
        let client = try NIOSSLContext(configuration: clientConfiguration)
        try await Self.running(Self.listener(Self.settings(tls: .implicit), tls: server)) { port in
            // The client verifies the chain and the name "localhost": the certificate is its own trust root.
            let c = try await TestClient.connect(port: port, tls: client, serverName: "localhost")
            try await c.waitFor("hello tls\r\n")
            await c.close()
        }
    }
}

/// Graceful shutdown must beat the 5 s drain timeout by far; run alone by `.ci/run`.
@Suite("TCP listener: draining latency")
struct TCPListenerLatencyTests {
    @Test func gracefulShutdownAsksConnectionsToFinish() async throws {
        let listener = TCPListenerTests.listener(TCPListenerTests.settings())
        let group = ServiceGroup(services: [listener], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await listener.boundAddress().port!
            let client = try await TestClient.connect(port: port)
            try await client.waitFor("hello")
            let started = ContinuousClock.now
            await group.triggerGracefulShutdown()
            try await client.waitForClose()
            try await tasks.waitForAll()
            #expect(client.text.hasSuffix("bye\r\n"))
            #expect(ContinuousClock.now - started < .seconds(2))
            // No longer accepting.
            await #expect(throws: (any Error).self) { _ = try await TestClient.connect(port: port) }
        }
    }
}
