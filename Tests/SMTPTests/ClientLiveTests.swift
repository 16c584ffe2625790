import Foundation
import NIOCore
import PostaTestSupport
import Testing

@testable import SMTP

#if canImport(Glibc)
    import Glibc
#endif

/// Postfix's smtp-sink on 127.0.0.1, started with posix_spawn (not Foundation `Process`, whose
/// children can inherit blocked signals) and ended with SIGKILL + waitpid.
final class ClientSMTPSink: @unchecked Sendable {
    static let path = "/usr/sbin/smtp-sink"
    let process: ChildProcess
    let port: Int
    let directory: String

    init(options: [String]) throws {
        guard access(Self.path, X_OK) == 0 else {
            throw SinkError("\(Self.path) is missing: install the Debian package `postfix` (it provides smtp-sink)")
        }
        directory = NSTemporaryDirectory() + "posta-client-sink-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o777)  // smtp-sink drops to `nobody` before writing dumps
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try Self.freePort()
            var arguments = options
            if getuid() == 0 { arguments = ["-u", "nobody"] + arguments }
            arguments += ["-d", directory + "/%Y%m%d%H%M%S.", "127.0.0.1:\(port)", "100"]
            let process = try ChildProcess(path: Self.path, arguments: arguments, logPath: directory + "/sink.log")
            if Self.waitUntilListening(port: port, process: process) {
                self.process = process
                self.port = port
                return
            }
            process.kill()
            lastError = SinkError(
                "smtp-sink did not listen on \(port): \((try? String(contentsOfFile: directory + "/sink.log", encoding: .utf8)) ?? "")"
            )
        }
        throw lastError ?? SinkError("smtp-sink did not start")
    }

    func stop() {
        process.kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Message dumps written so far (the smtp-sink headers, then the content as received).
    func dumps() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0 != "sink.log" }.sorted().compactMap {
            try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8)
        }
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SinkError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw SinkError("bind failed") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func waitUntilListening(port: Int, process: ChildProcess) -> Bool {
        for _ in 0..<200 {
            if !process.isRunning { return false }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if rc == 0 { return true }
            usleep(25_000)
        }
        return false
    }
}

struct SinkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite("SMTP client against Postfix smtp-sink")
struct ClientLiveTests {
    static let message = Array(
        "From: alice@posta.test\r\nTo: bob@remote.test\r\nSubject: live\r\n\r\nbare LF line\n.leading dot\r\nlast".utf8)

    static let envelope = OutboundEnvelope(
        reversePath: "alice@posta.test",
        recipients: [.init(address: "bob@remote.test"), .init(address: "carol@remote.test")],
        size: Int64(message.count))

    private func deliver(
        options: [String], body: SMTPMessageSource = .bytes(message), scale: Double = 0.05,
        check: (SMTPDeliveryResult, ClientSMTPSink) throws -> Void
    ) async throws {
        let sink = try ClientSMTPSink(options: options)
        defer { sink.stop() }
        let session = SMTPClientSession(
            configuration: SMTPClientConfiguration(heloName: "client.posta.test", tlsPolicy: .opportunistic),
            envelope: Self.envelope)
        let result = try await SMTPClientConnection.deliver(
            host: "127.0.0.1", port: sink.port, tls: nil, serverName: nil, session: session, body: body,
            timeouts: .rfc5321(scaledBy: scale))
        try check(result, sink)
    }

    private static func allAccepted(_ result: SMTPDeliveryResult) -> Bool {
        result.recipients.count == 2 && result.recipients.allSatisfy { if case .accepted = $0.outcome { true } else { false } }
    }

    @Test("pipelined delivery is accepted and the content arrives normalised")
    func pipelined() async throws {
        try await deliver(options: []) { result, sink in
            #expect(result.capabilities.pipelining)
            #expect(Self.allAccepted(result), "\(result)")
            let dumps = sink.dumps()
            #expect(dumps.count == 1)
            let dump = try #require(dumps.first)
            #expect(dump.contains("X-Rcpt-Args: <carol@remote.test>"))
            #expect(dump.contains("bare LF line\n.leading dot\nlast"), "\(dump)")
        }
    }

    @Test("delivery without PIPELINING (-p), body streamed from a file after added header fields")
    func sequentialFromFile() async throws {
        let path = NSTemporaryDirectory() + "posta-client-body-\(UUID().uuidString)"
        try Data(Self.message).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let prefix = Array("X-Spam-Flag: NO\r\nReceived-SPF: pass\r\n".utf8)
        try await deliver(options: ["-p"], body: .file(path: path, prefix: prefix)) { result, sink in
            #expect(!result.capabilities.pipelining)
            #expect(Self.allAccepted(result), "\(result)")
            let dump = try #require(sink.dumps().first)
            #expect(dump.contains(".leading dot\nlast"))
            let first = String(decoding: Self.message.prefix(while: { $0 != 13 && $0 != 10 }), as: UTF8.self)
            #expect(dump.contains("X-Spam-Flag: NO\nReceived-SPF: pass\n" + first), "\(dump)")
        }
    }

    @Test("RCPT hard-rejected (-f RCPT): permanent failure with the server's text")
    func rcptRejected() async throws {
        try await deliver(options: ["-f", "RCPT"]) { result, _ in
            #expect(result.recipients.count == 2)
            for r in result.recipients {
                guard case .permanentFailure(let reply) = r.outcome else {
                    Issue.record("\(r)")
                    continue
                }
                #expect(reply.code == 500 && reply.enhancedStatus == .init(5, 3, 0))
                #expect(reply.lines == ["Error: command failed"])
                #expect(r.fromServer)
            }
        }
    }

    @Test("final dot soft-rejected (-r .): temporary failure for every recipient")
    func dotRejected() async throws {
        try await deliver(options: ["-r", "."]) { result, _ in
            #expect(result.recipients.count == 2)
            for r in result.recipients {
                guard case .temporaryFailure(let reply) = r.outcome else {
                    Issue.record("\(r)")
                    continue
                }
                #expect(reply.code == 450 && r.fromServer)
            }
        }
    }

    @Test("421 on MAIL (-Q MAIL): temporary failure for every recipient")
    func serviceUnavailable() async throws {
        try await deliver(options: ["-Q", "MAIL"]) { result, _ in
            #expect(result.recipients.count == 2)
            for r in result.recipients {
                guard case .temporaryFailure(let reply) = r.outcome else {
                    Issue.record("\(r)")
                    continue
                }
                #expect(reply.code == 421 && r.fromServer)
            }
        }
    }

    @Test("server silent after DATA (-w): the scaled reply timeout fails every recipient temporarily")
    func replyTimeout() async throws {
        // DATA initiation is 2 minutes; scaled by 0.005 → 0.6 s, smtp-sink waits 5 s.
        try await deliver(options: ["-p", "-w", "5"], scale: 0.005) { result, _ in
            #expect(result.recipients.count == 2)
            for r in result.recipients {
                guard case .temporaryFailure(let reply) = r.outcome else {
                    Issue.record("\(r)")
                    continue
                }
                #expect(!r.fromServer)
                #expect(reply.lines[0].contains("Timeout"))
            }
        }
    }
}
