import DNS
import Foundation
import PostaTestSupport
import Testing

/// A real dnsmasq on 127.0.0.1 with a random free port, serving the zone the live tests ask
/// about. It runs in the foreground and is killed by `stop()`.
final class Dnsmasq: @unchecked Sendable {
    static let binary = "/usr/sbin/dnsmasq"

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "dnsmasq is not installed at \(Dnsmasq.binary): install the Debian package dnsmasq-base "
                + "(apt-get install -y --no-install-recommends dnsmasq-base)"
        }
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    private let process: ChildProcess
    private let directory: URL

    private init(port: Int, process: ChildProcess, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    static func config(port: Int) -> String {
        """
        port=\(port)
        listen-address=127.0.0.1
        bind-interfaces
        no-resolv
        no-hosts
        keep-in-foreground
        pid-file=
        log-facility=-
        local=/remote.example/
        mx-host=remote.example,mx.remote.example,10
        mx-host=remote.example,mx2.remote.example,20
        host-record=mx.remote.example,127.0.0.2
        txt-record=remote.example,"v=spf1 ip4:127.0.0.0/8 -all"
        ptr-record=2.0.0.127.in-addr.arpa,mx.remote.example
        cname=alias.remote.example,mx.remote.example
        """
    }

    /// Starts dnsmasq and waits until it answers.
    static func start() async throws -> Dnsmasq {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw Missing() }
        var lastFailure = ""
        for _ in 0..<5 {
            guard let port = try freePort() else { continue }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("posta-dnsmasq-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let configFile = directory.appendingPathComponent("dnsmasq.conf")
            try config(port: port).write(to: configFile, atomically: true, encoding: .utf8)
            let log = directory.appendingPathComponent("dnsmasq.log")
            let process = try ChildProcess(path: binary, arguments: ["-C", configFile.path], logPath: log.path)
            let server = Dnsmasq(port: port, process: process, directory: directory)
            if try await server.waitUntilAnswering() { return server }
            server.stop()
            lastFailure = "wait status \(process.status.map(String.init) ?? "?"): " + ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        throw Failed(description: "dnsmasq did not start: \(lastFailure)")
    }

    /// A port free for both UDP and TCP on 127.0.0.1 (dnsmasq binds both); the probing sockets
    /// are closed when this returns.
    private static func freePort() throws -> Int? {
        let tcp = try LoopbackSocket(tcp: true)
        guard (try? LoopbackSocket(tcp: false, port: tcp.port)) != nil else { return nil }
        return Int(tcp.port)
    }

    private func waitUntilAnswering() async throws -> Bool {
        var configuration = DNSResolverConfiguration(
            nameservers: [try DNSNameserver(host: "127.0.0.1", port: port)], timeout: .milliseconds(100), attempts: 1)
        configuration.cache.maxEntries = 0
        let probe = DNSResolver(configuration: configuration)
        for _ in 0..<50 {
            guard process.isRunning else { return false }
            if (try? await probe.query("mx.remote.example", .a)) != nil { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func resolver(timeout: Duration = .seconds(2)) throws -> DNSResolver {
        DNSResolver(
            configuration: DNSResolverConfiguration(nameservers: [try DNSNameserver(host: "127.0.0.1", port: port)], timeout: timeout))
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body` with a fresh dnsmasq and stops it afterwards, whatever happens.
func withDnsmasq(_ body: (Dnsmasq) async throws -> Void) async throws {
    let server = try await Dnsmasq.start()
    defer { server.stop() }
    try await body(server)
}
