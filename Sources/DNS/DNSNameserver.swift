/// A nameserver to send queries to: an IP address (no name: a stub resolver cannot look up its
/// own servers) and a port.
public struct DNSNameserver: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let port: Int

    public init(address: IPAddress, port: Int = 53) {
        self.address = address
        self.port = port
    }

    /// `host` must be an IPv4 or IPv6 address in text form (brackets allowed for IPv6).
    public init(host: String, port: Int = 53) throws {
        var text = Substring(host)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        guard let address = IPAddress(String(text)) else { throw DNSError.invalidAddress(host) }
        guard (1...65535).contains(port) else { throw DNSError.invalidAddress("\(host) port \(port)") }
        self.init(address: address, port: port)
    }

    public var description: String {
        address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
