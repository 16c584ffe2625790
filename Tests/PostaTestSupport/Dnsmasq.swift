import DNS
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real dnsmasq (Debian dnsmasq-base) on 127.0.0.1 and a free port, serving `records`
/// (dnsmasq.conf lines such as `mx-host=…`, `txt-record=…`). It runs in the foreground and is
/// killed by `stop()`; `.ci/install-packages` installs it.
public final class Dnsmasq: @unchecked Sendable {
    public static let binary = "/usr/sbin/dnsmasq"

    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    public let port: Int
    private let process: ChildProcess
    private let directory: URL

    private init(port: Int, process: ChildProcess, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Starts dnsmasq with `records` and waits until it answers the A query `probe`; a port taken
    /// meanwhile by someone else is retried with another.
    public static func start(records: [String], probe: String) async throws -> Dnsmasq {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw Failed(
                description: "dnsmasq is not installed at \(binary): apt-get install -y --no-install-recommends dnsmasq-base")
        }
        var lastFailure = ""
        for _ in 0..<5 {
            guard let port = try freePort() else { continue }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("posta-dnsmasq-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let config = directory.appendingPathComponent("dnsmasq.conf")
            let base = [
                "port=\(port)", "listen-address=127.0.0.1", "bind-interfaces", "no-resolv", "no-hosts",
                "keep-in-foreground", "pid-file=", "log-facility=-",
            ]
            try (base + records).joined(separator: "\n").write(to: config, atomically: true, encoding: .utf8)
            let log = directory.appendingPathComponent("dnsmasq.log")
            let process = try ChildProcess(path: binary, arguments: ["-C", config.path], logPath: log.path)
            let server = Dnsmasq(port: port, process: process, directory: directory)
            if await server.answers(probe) { return server }
            server.stop()
            let status = process.status.map(String.init) ?? "?"
            lastFailure = "wait status \(status): " + ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
        throw Failed(description: "dnsmasq did not start: \(lastFailure)")
    }

    /// A resolver asking only this server; `cacheEntries: 0` turns its cache off.
    public func resolver(timeout: Duration = .seconds(2), attempts: Int? = nil, cacheEntries: Int? = nil) throws -> DNSResolver {
        var configuration = DNSResolverConfiguration(
            nameservers: [try DNSNameserver(host: "127.0.0.1", port: port)], timeout: timeout)
        if let attempts { configuration.attempts = attempts }
        if let cacheEntries { configuration.cache.maxEntries = cacheEntries }
        return DNSResolver(configuration: configuration)
    }

    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func answers(_ probe: String) async -> Bool {
        guard let resolver = try? resolver(timeout: .milliseconds(100), attempts: 1, cacheEntries: 0) else { return false }
        for _ in 0..<50 {
            guard process.isRunning else { return false }
            if (try? await resolver.query(probe, .a)) != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// A port on 127.0.0.1 free for both UDP and TCP a moment ago (dnsmasq binds both), or nil
    /// when the UDP port the kernel chose is taken for TCP.
    private static func freePort() throws -> Int? {
        let udp = try boundSocket(type: Int32(SOCK_DGRAM.rawValue), port: 0)
        defer { close(udp.fd) }
        guard let tcp = try? boundSocket(type: Int32(SOCK_STREAM.rawValue), port: udp.port) else { return nil }
        close(tcp.fd)
        return Int(udp.port)
    }

    private static func boundSocket(type: Int32, port: UInt16) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw Failed(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw Failed(description: "bind 127.0.0.1:\(port): \(errno)")
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}
