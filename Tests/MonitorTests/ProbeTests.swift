import Core
import Crypto
import Foundation
import Monitor
import NIOCore
import NIOPosix
import PostaTestSupport
import Queue
import Testing
import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Feeds server lines to a dialogue and collects what it sends, as a socket would.
struct Script {
    var dialogue: ProbeDialogue
    var sent: [String] = []
    var tlsRequests = 0
    var outcome: ProbeOutcome?

    init(_ options: ProbeOptions) { dialogue = ProbeDialogue(options: options) }

    mutating func take(_ actions: [ProbeAction]) {
        for action in actions {
            switch action {
            case .send(let line): sent.append(line)
            case .startTLS: tlsRequests += 1
            case .finish(let outcome): self.outcome = outcome
            }
        }
    }

    mutating func server(_ lines: String...) {
        for line in lines { take(dialogue.receive(line)) }
    }

    mutating func tls() { take(dialogue.tlsEstablished()) }
}

@Suite struct ProbeDialogueTests {
    @Test func smtpWithStartTLSAndAuthPlain() {
        var s = Script(
            ProbeOptions(proto: .submission, startTLS: true, credentials: .init(user: "alice", password: "pw"), heloName: "probe")
        )
        s.server("220-mx.example.org ESMTP", "220 more banner")
        #expect(s.sent == ["EHLO probe"])
        s.server("250-mx.example.org", "250-PIPELINING", "250 STARTTLS")
        #expect(s.sent.last == "STARTTLS")
        s.server("220 go ahead")
        #expect(s.tlsRequests == 1)
        s.tls()
        #expect(s.sent.last == "EHLO probe")
        s.server("250-mx.example.org", "250 AUTH PLAIN LOGIN")
        // RFC 4616: "\0alice\0pw" in base64.
        #expect(s.sent.last == "AUTH PLAIN AGFsaWNlAHB3")
        s.server("235 2.7.0 ok")
        #expect(s.sent.last == "QUIT")
        s.server("221 bye")
        #expect(s.outcome == .success(banner: "220 mx.example.org ESMTP", capabilities: ["AUTH PLAIN LOGIN"]))
    }

    @Test func smtpFailures() {
        var s = Script(ProbeOptions(proto: .smtp))
        s.server("554 no service")
        #expect(s.outcome == .failure("banner: 554 no service"))
        s.server("220 late")  // ignored once finished
        #expect(s.sent.isEmpty)

        var t = Script(ProbeOptions(proto: .smtp, startTLS: true))
        t.server("220 mx", "250 mx")
        #expect(t.outcome == .failure("STARTTLS not offered"))

        var u = Script(ProbeOptions(proto: .smtp, credentials: .init(user: "a", password: "b")))
        u.server("220 mx", "250-mx", "250 AUTH PLAIN", "535 5.7.8 no")
        #expect(u.outcome == .failure("login failed: 535 5.7.8 no"))

        var v = Script(ProbeOptions(proto: .smtp))
        v.server("hello there")
        #expect(v.outcome == .failure("malformed SMTP reply: hello there"))

        var w = Script(ProbeOptions(proto: .smtp))
        w.server("220 mx")
        for _ in 0..<250 { w.server("250-X") }
        #expect(w.outcome == .failure("SMTP reply longer than 200 lines"))
    }

    @Test func imapLoginAndLogout() {
        var s = Script(ProbeOptions(proto: .imap, startTLS: true, credentials: .init(user: "al\"ice", password: "p\\w")))
        s.server("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready")
        #expect(s.sent == ["p1 CAPABILITY"])
        s.server("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED", "p1 OK done")
        #expect(s.sent.last == "p2 STARTTLS")
        s.server("p2 OK begin TLS")
        s.tls()
        #expect(s.sent.last == "p3 CAPABILITY")
        s.server("* CAPABILITY IMAP4rev1 AUTH=PLAIN", "p3 OK")
        #expect(s.sent.last == #"p4 LOGIN "al\"ice" "p\\w""#)
        s.server("p4 OK logged in")
        #expect(s.sent.last == "p5 LOGOUT")
        s.server("* BYE see you", "p5 OK")
        #expect(
            s.outcome
                == .success(banner: "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready", capabilities: ["IMAP4rev1", "AUTH=PLAIN"]))

        var f = Script(ProbeOptions(proto: .imap, credentials: .init(user: "a", password: "b")))
        f.server("* OK hi", "p1 OK", "p2 NO [AUTHENTICATIONFAILED] wrong")
        #expect(f.outcome == .failure("login failed: p2 NO [AUTHENTICATIONFAILED] wrong"))

        var b = Script(ProbeOptions(proto: .imap))
        b.server("* BYE too many connections")
        #expect(b.outcome == .failure("banner: * BYE too many connections"))

        var c = Script(ProbeOptions(proto: .imap, credentials: .init(user: "a\r\nx", password: "b")))
        c.server("* OK hi", "p1 OK")
        #expect(c.outcome == .failure("user or password holds characters a quoted string cannot carry"))
    }

    @Test func pop3CapaStlsUserPass() {
        var s = Script(ProbeOptions(proto: .pop3, startTLS: true, credentials: .init(user: "bob", password: "secret")))
        s.server("+OK POP3 ready")
        #expect(s.sent == ["CAPA"])
        s.server("+OK list follows", "USER", "STLS", ".")
        #expect(s.sent.last == "STLS")
        s.server("+OK begin")
        s.tls()
        #expect(s.sent.last == "CAPA")
        s.server("+OK", "USER", "SASL PLAIN", ".")
        #expect(s.sent.last == "USER bob")
        s.server("+OK")
        #expect(s.sent.last == "PASS secret")
        s.server("+OK maildrop locked")
        #expect(s.sent.last == "QUIT")
        s.server("+OK bye")
        #expect(s.outcome == .success(banner: "+OK POP3 ready", capabilities: ["USER", "SASL PLAIN"]))

        var f = Script(ProbeOptions(proto: .pop3, credentials: .init(user: "bob", password: "x")))
        f.server("+OK", "-ERR no CAPA", "+OK", "-ERR [AUTH] invalid")
        #expect(f.sent == ["CAPA", "USER bob", "PASS x"])
        #expect(f.outcome == .failure("login failed: -ERR [AUTH] invalid"))
    }
}

@Suite struct ProbeNetworkTests {
    /// A port nothing listens on, held for the test: a socket bound to it but not listening
    /// refuses connections, and no parallel test can take the port meanwhile.
    func withClosedPort(_ body: (Int) async throws -> Void) async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
        try #require(address.withSockAddr { bind(fd, $0, socklen_t($1)) } == 0)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        try #require(named == 0)
        try await body(Int(UInt16(bigEndian: bound.sin_port)))
    }

    @Test func refusedIsCriticalWithAClearText() async throws {
        try await withClosedPort { port in
            let target = ProbeTarget(host: "127.0.0.1", port: port, timeout: 5)
            let report = await MailProbe.run(target: target, options: ProbeOptions(proto: .smtp))
            let result = ProtocolCheck.result(report, proto: .smtp, target: target, thresholds: .init())
            #expect(result.line == "POSTA SMTP CRITICAL - connection refused on 127.0.0.1:\(port)")
            #expect(result.exitCode == 2)
        }
    }

    @Test func silentServerTimesOutAsUnknown() async throws {
        // Accepts and never speaks.
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let target = ProbeTarget(host: "127.0.0.1", port: server.localAddress!.port!, timeout: 0.3)
        let report = await MailProbe.run(target: target, options: ProbeOptions(proto: .imap))
        let result = ProtocolCheck.result(report, proto: .imap, target: target, thresholds: .init())
        #expect(result.status == .unknown)
        #expect(result.line.hasPrefix("POSTA IMAP UNKNOWN - timed out after 0.3 s"))
        #expect(report.seconds < 60)  // a blow-up bound only: a loaded machine fires the timer late
        let asCritical = ProtocolCheck.result(
            report, proto: .imap, target: target, thresholds: .init(), timeoutStatus: PluginStatus(word: "critical")!)
        #expect(asCritical.exitCode == 2 && asCritical.line.hasPrefix("POSTA IMAP CRITICAL - timed out after 0.3 s"))
        try await server.close()
    }

    @Test func servingSMTPIsOKWithTimePerfdata() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FakeSMTP())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let target = ProbeTarget(host: "127.0.0.1", port: server.localAddress!.port!, timeout: 5)
        let report = await MailProbe.run(target: target, options: ProbeOptions(proto: .smtp))
        // A generous bound: the point is the status and the perfdata, not the speed of a loaded machine.
        let result = ProtocolCheck.result(
            report, proto: .smtp, target: target, thresholds: Thresholds(warning: try ThresholdRange(parsing: "60")))
        #expect(result.status == .ok, "\(result.line)")
        let parsed = try #require(GuidelinesGrammar.parseLine(result.line))
        #expect(parsed.perfdata.first?.label == "time" && parsed.perfdata.first?.unit == "s")
        #expect(parsed.perfdata.first?.fields == ["60", "", "0"])
        #expect(parsed.text.hasSuffix("220 fake ESMTP"))
        try await server.close()
    }
}

/// Answers the probe's SMTP commands in the smallest correct way, split across writes.
final class FakeSMTP: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    var pending = ""

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "220 fa")), promise: nil)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "ke ESMTP\r\n")), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += String(buffer: unwrapInboundIn(data))
        while let end = pending.range(of: "\r\n") {
            let line = pending[..<end.lowerBound]
            pending = String(pending[end.upperBound...])
            let reply = line.hasPrefix("EHLO") ? "250-fake\r\n250 8BITMIME\r\n" : line == "QUIT" ? "221 bye\r\n" : "500 what\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: reply)), promise: nil)
        }
    }
}

@Suite struct SiteCheckTests {
    @Test(arguments: TestDatabases.dialects)
    func queueCountsByState(_ dialect: Database.Dialect) async throws {
        try await TestDatabases.with(dialect) { database in
            _ = try await database.migrate(QueueSchema.migrations)
            try await database.withConnection { db in
                // m1 new, m2 tried once, m3 held (with a retried delivery), m4 nothing pending.
                for (id, held) in [("m1", false), ("m2", false), ("m3", true), ("m4", false)] {
                    try await db.raw(
                        """
                        INSERT INTO queue_message (id, reverse_path, spool_file, size, received_at, body, smtputf8, client_ip, helo, held)
                        VALUES (\(bind: id), 's@x', 'f', 1, 0, '7BIT', \(bind: false), '127.0.0.1', 'h', \(bind: held))
                        """
                    ).run()
                }
                for (id, status, attempts) in [
                    ("m1", "pending", 0), ("m1", "delivered", 1), ("m2", "pending", 2), ("m2", "pending", 0),
                    ("m3", "pending", 3), ("m4", "failed", 5),
                ] {
                    try await db.raw(
                        """
                        INSERT INTO queue_recipient (message_id, recipient, kind, target, status, attempts, next_attempt_at)
                        VALUES (\(bind: id), 'r@y', 'remote', 'r@y', \(bind: status), \(bind: attempts), 0)
                        """
                    ).run()
                }
            }
            let counts = try await QueueCounts.read(database)
            #expect(counts == QueueCounts(active: 1, deferred: 1, held: 1, other: 1))
            let result = await QueueCheck.run(
                database,
                thresholds: Thresholds(warning: try ThresholdRange(parsing: "2"), critical: try ThresholdRange(parsing: "5")),
                timeout: 10)
            #expect(
                result.line.hasPrefix("POSTA QUEUE WARNING - 4 messages (1 active, 1 deferred, 1 held, 1 other) | total=4;2;5;0"))
        }
    }

    @Test func clusterStaleIsCritical() {
        let nodes = [
            ClusterNode(nodeID: "mx1", hostname: "a", version: "1", startedAt: 0, renewedAt: 1000),
            ClusterNode(nodeID: "mx2", hostname: "b", version: "1", startedAt: 0, renewedAt: 900),
            ClusterNode(nodeID: "mx3", hostname: "c", version: "1", startedAt: 0, renewedAt: 500, stoppedAt: 500),
        ]
        let ok = ClusterCheck.result(nodes, now: 990)
        #expect(ok.line == "POSTA CLUSTER OK - 2 alive (mx1, mx2), 1 stopped (mx3) | alive=2;;;0;3 stale=0;;;0;3 stopped=1;;;0;3")
        let stale = ClusterCheck.result(nodes, now: 991)
        #expect(stale.status == .critical)
        #expect(stale.text == "1 alive (mx1), 1 stale: mx2 silent for 91 s, 1 stopped (mx3)")
        #expect(ClusterCheck.result(nodes, now: 991, staleAfter: 120).status == .ok)
        let few = ClusterCheck.result(nodes, now: 990, thresholds: Thresholds(warning: ThresholdRange(start: 3, end: nil)))
        #expect(few.status == .warning)
        #expect(ClusterCheck.result([], now: 0).status == .unknown)
    }

    @Test func certificateDaysLeft() throws {
        let key = P256.Signing.PrivateKey()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let name = try DistinguishedName { CommonName("mx.example.org") }
        func certificate(validFor days: Double) throws -> Certificate {
            try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(days * 86_400),
                issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: .init(),
                issuerPrivateKey: .init(key))
        }
        let fine = CertificateCheck.result(try certificate(validFor: 90.5), source: "cert.pem", now: now)
        #expect(fine.status == .ok)
        #expect(fine.text.hasPrefix("cert.pem: certificate CN=mx.example.org expires in 90 days"))
        #expect(fine.perfdata.map(\.description) == ["days=90;30:;7:"])
        #expect(CertificateCheck.result(try certificate(validFor: 29.9), source: "c", now: now).status == .warning)
        #expect(CertificateCheck.result(try certificate(validFor: 6.5), source: "c", now: now).status == .critical)
        let expired = CertificateCheck.result(try certificate(validFor: -2), source: "c", now: now)
        #expect(expired.status == .critical && expired.text.contains("expired on"))

        // The PEM file path (the leaf comes first; a chain may follow).
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("posta-cert-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pem = try certificate(validFor: 10).serializeAsPEM().pemString
        let path = folder.appendingPathComponent("cert.pem").path
        try (pem + "\n" + pem + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let fromFile = CertificateCheck.result(try CertificateCheck.leaf(pemFile: path), source: path, now: now)
        #expect(fromFile.status == .warning)
        try "junk".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: CheckError.self) { try CertificateCheck.leaf(pemFile: path) }
        #expect(throws: CheckError.self) { try CertificateCheck.leaf(pemFile: folder.path + "/missing.pem") }
    }

    @Test func diskOfATempFolder() throws {
        let usage = try DiskUsage.measure(FileManager.default.temporaryDirectory.path)
        #expect(usage.totalBytes > 0 && usage.freePercent >= 0 && usage.freePercent <= 100)
        #expect(throws: CheckError.self) { try DiskUsage.measure("/nonexistent/posta") }
    }
}
