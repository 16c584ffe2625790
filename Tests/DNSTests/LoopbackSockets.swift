import DNS
import Foundation

#if canImport(Glibc)
    import Glibc
    private let datagram = Int32(SOCK_DGRAM.rawValue)
    private let stream = Int32(SOCK_STREAM.rawValue)
#elseif canImport(Darwin)
    import Darwin
    private let datagram = SOCK_DGRAM
    private let stream = SOCK_STREAM
#endif

struct SocketError: Error, CustomStringConvertible {
    var description: String
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
}

/// A POSIX socket on 127.0.0.1.
final class LoopbackSocket: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    /// Binds a UDP (`tcp == false`) or listening TCP socket to 127.0.0.1:`port` (0: any free port).
    init(tcp: Bool, port: UInt16 = 0) throws {
        let fd = socket(AF_INET, tcp ? stream : datagram, 0)
        guard fd >= 0 else { throw SocketError("socket") }
        self.fd = fd
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.address(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let error = SocketError("bind 127.0.0.1:\(port)")
            close(fd)
            throw error
        }
        if tcp { listen(fd, 8) }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// Waits up to `milliseconds` for the socket to become readable.
    func readable(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) > 0
    }

    func receive() -> (bytes: [UInt8], from: sockaddr_in)? {
        var buffer = [UInt8](repeating: 0, count: 65_535)
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard count >= 0 else { return nil }
        return (Array(buffer[0..<count]), from)
    }

    func send(_ bytes: [UInt8], to address: sockaddr_in) {
        var address = address
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    deinit { close(fd) }
}

/// Reads exactly `count` octets from a connected socket, or nil.
private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: max(count, 1))
    while result.count < count {
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, count - result.count) }
        guard got > 0 else { return nil }
        result += buffer[0..<got]
    }
    return result
}

/// A tiny DNS server on 127.0.0.1, UDP and TCP on the same port, each answering from a
/// closure. UDP replies may be several datagrams, some sent from another port (to check that
/// the resolver ignores them).
final class LoopbackDNSServer: @unchecked Sendable {
    struct Reply {
        var message: DNSMessage
        var fromOtherPort = false
    }

    let port: Int
    private let udp: LoopbackSocket
    private let tcp: LoopbackSocket
    private let other: LoopbackSocket
    private let lock = NSLock()
    private var stopping = false
    private var counts = (udp: 0, tcp: 0)
    private let finished = DispatchGroup()

    var udpQueries: Int { lock.withLock { counts.udp } }
    var tcpQueries: Int { lock.withLock { counts.tcp } }

    init(
        udp answerUDP: @escaping @Sendable (DNSMessage) -> [Reply],
        tcp answerTCP: @escaping @Sendable (DNSMessage) -> DNSMessage
    ) throws {
        var attempt = 0
        while true {
            // The same port number for TCP and UDP: take a free TCP port, then try its UDP twin.
            let tcp = try LoopbackSocket(tcp: true)
            if let udp = try? LoopbackSocket(tcp: false, port: tcp.port) {
                self.tcp = tcp
                self.udp = udp
                break
            }
            attempt += 1
            guard attempt < 20 else { throw SocketError("no free TCP+UDP port pair") }
        }
        other = try LoopbackSocket(tcp: false)
        port = Int(udp.port)
        finished.enter()
        Thread { [self] in
            defer { finished.leave() }
            while !isStopping {
                guard udp.readable(milliseconds: 50), let (bytes, from) = udp.receive() else { continue }
                guard let query = try? DNSMessage(decoding: bytes) else { continue }
                lock.withLock { counts.udp += 1 }
                for reply in answerUDP(query) {
                    guard let wire = try? reply.message.encoded() else { continue }
                    (reply.fromOtherPort ? other : udp).send(wire, to: from)
                }
            }
        }.start()
        finished.enter()
        Thread { [self] in
            defer { finished.leave() }
            while !isStopping {
                guard tcp.readable(milliseconds: 50) else { continue }
                let connection = accept(tcp.fd, nil, nil)
                guard connection >= 0 else { continue }
                defer { close(connection) }
                guard let prefix = readExactly(connection, 2),
                    let bytes = readExactly(connection, Int(prefix[0]) << 8 | Int(prefix[1])),
                    let query = try? DNSMessage(decoding: bytes),
                    let wire = try? answerTCP(query).encoded()
                else { continue }
                lock.withLock { counts.tcp += 1 }
                let framed = [UInt8(wire.count >> 8), UInt8(wire.count & 0xFF)] + wire
                _ = framed.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            }
        }.start()
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }
}
