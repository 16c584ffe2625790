import DNS
import Foundation

/// A clock the test moves by hand.
final class FakeClock: DNSClock, @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: Double = 1000

    func now() -> Double { lock.withLock { seconds } }
    func advance(by delta: Double) { lock.withLock { seconds += delta } }
}

/// A transport that answers from a closure and records what it was asked.
final class FakeTransport: DNSTransport, @unchecked Sendable {
    struct Call {
        var query: DNSMessage
        var server: DNSNameserver
        var transport: DNSTransportProtocol
    }

    private let lock = NSLock()
    private var recorded: [Call] = []
    private let respond: @Sendable (Call) throws -> DNSMessage

    init(_ respond: @escaping @Sendable (Call) throws -> DNSMessage) {
        self.respond = respond
    }

    var calls: [Call] { lock.withLock { recorded } }

    func exchange(
        _ query: DNSMessage, with server: DNSNameserver, over transport: DNSTransportProtocol, timeout: Duration
    ) async throws -> DNSMessage {
        let call = Call(query: query, server: server, transport: transport)
        lock.withLock { recorded.append(call) }
        let response = try respond(call)
        // What the real transport does: only matching responses get through; and the
        // answer must survive the wire format.
        guard response.isResponse(to: query) else { throw DNSError.timeout }
        return try DNSMessage(decoding: response.encoded())
    }
}

func name(_ text: String) -> DNSName { try! DNSName(text) }

func ip(_ text: String) -> IPAddress { IPAddress(text)! }

/// A response to `query` with the given sections.
func reply(
    to query: DNSMessage, rcode: UInt8 = 0, truncated: Bool = false, answers: [DNSResourceRecord] = [],
    authorities: [DNSResourceRecord] = [], edns: EDNS? = EDNS()
) -> DNSMessage {
    var header = query.header
    header.isResponse = true
    header.recursionAvailable = true
    header.isTruncated = truncated
    header.rcode = rcode
    return DNSMessage(header: header, questions: query.questions, answers: answers, authorities: authorities, edns: edns)
}

func soaRecord(_ zone: String, ttl: UInt32, minimum: UInt32) -> DNSResourceRecord {
    DNSResourceRecord(
        name: name(zone), ttl: ttl,
        data: .soa(
            SOAData(
                primaryNameserver: name("ns.\(zone)"), responsibleMailbox: name("hostmaster.\(zone)"), serial: 1,
                refresh: 3600, retry: 600, expire: 86400, minimum: minimum)))
}

func aRecord(_ owner: String, _ address: String, ttl: UInt32 = 300) -> DNSResourceRecord {
    let address = ip(address)
    return DNSResourceRecord(name: name(owner), ttl: ttl, data: address.isIPv4 ? .a(address) : .aaaa(address))
}

func resolver(
    servers: [String] = ["192.0.2.53"], attempts: Int = 2, clock: FakeClock = FakeClock(),
    cache: DNSCacheConfiguration = DNSCacheConfiguration(), transport: FakeTransport
) -> DNSResolver {
    var configuration = DNSResolverConfiguration(
        nameservers: servers.map { try! DNSNameserver(host: $0) }, timeout: .milliseconds(100), attempts: attempts)
    configuration.cache = cache
    return DNSResolver(configuration: configuration, transport: transport, clock: clock)
}

func bytes(_ hex: String) -> [UInt8] {
    let digits = hex.filter(\.isHexDigit)
    return stride(from: 0, to: digits.count, by: 2).map {
        let start = digits.index(digits.startIndex, offsetBy: $0)
        return UInt8(digits[start...digits.index(after: start)], radix: 16)!
    }
}

func isMalformed(_ error: any Error) -> Bool {
    if case DNSError.malformed = error { return true }
    return false
}
