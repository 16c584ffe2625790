import DNS
import Foundation
import PostaTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A dnsmasq on 127.0.0.1 serving `records` (dnsmasq.conf lines), the approach of
/// Tests/DNSTests/Dnsmasq.swift cut down to what the SPF test needs.
final class SPFDnsmasq: @unchecked Sendable {
    static let binary = "/usr/sbin/dnsmasq"

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

    /// Starts dnsmasq with `records` and waits until it answers for `probe` (an A record).
    static func start(records: [String], probe: String) async throws -> SPFDnsmasq {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Failed(description: "dnsmasq is not installed at \(binary) (Debian package dnsmasq-base)")
        }
        var lastFailure = ""
        for _ in 0..<5 {
            let port = try freeUDPPort()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("posta-spf-dnsmasq-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("dnsmasq.conf")
            let base = [
                "port=\(port)", "listen-address=127.0.0.1", "bind-interfaces", "no-resolv", "no-hosts",
                "keep-in-foreground", "pid-file=", "log-facility=-",
            ]
            try (base + records).joined(separator: "\n").write(to: config, atomically: true, encoding: .utf8)
            let log = directory.appendingPathComponent("dnsmasq.log")
            let process = try ChildProcess(path: binary, arguments: ["-C", config.path], logPath: log.path)
            let server = SPFDnsmasq(port: port, process: process, directory: directory)
            if await server.answers(probe) { return server }
            server.stop()
            lastFailure = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        }
        throw Failed(description: "dnsmasq did not start: \(lastFailure)")
    }

    func resolver(timeout: Duration = .seconds(2)) throws -> DNSResolver {
        var configuration = DNSResolverConfiguration(
            nameservers: [try DNSNameserver(host: "127.0.0.1", port: port)], timeout: timeout, attempts: 1)
        configuration.cache.maxEntries = 0
        return DNSResolver(configuration: configuration)
    }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func answers(_ probe: String) async -> Bool {
        guard let resolver = try? resolver(timeout: .milliseconds(100)) else { return false }
        for _ in 0..<50 {
            guard process.isRunning else { return false }
            if (try? await resolver.query(probe, .a)) != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// A UDP port on 127.0.0.1 that was free a moment ago (dnsmasq is retried if it is taken).
    private static func freeUDPPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw Failed(description: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failed(description: "bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
