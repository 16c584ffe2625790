import DNS
import MailAuth

/// An in-memory zone as SPF's DNS. Each name holds its entries in order; `timeout` stands for
/// a server that stops answering there: a lookup that reaches it before any record of the
/// asked type throws (the RFC 7208 test suite's TIMEOUT). CNAMEs are followed.
struct ZoneDNS: SPFDNS {
    enum Entry: Hashable, Sendable {
        case txt(String)
        case a(IPAddress)
        case aaaa(IPAddress)
        case mx(String)
        case ptr(String)
        case cname(String)
        case timeout
    }

    struct Timeout: Error {}
    struct CNAMELoop: Error {}

    private let zone: [String: [Entry]]

    init(_ zone: [String: [Entry]]) {
        self.zone = Dictionary(zone.map { (Self.key($0.key), $0.value) }, uniquingKeysWith: +)
    }

    private static func key(_ name: String) -> String {
        (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased()
    }

    /// The values `pick` takes from the entries of `name`, after CNAMEs.
    private func lookup<Value: Sendable & Hashable>(_ name: String, _ pick: (Entry) -> Value?) throws -> DNSResult<[Value]> {
        var name = Self.key(name)
        for _ in 0..<8 {
            guard let entries = zone[name] else { return .nxDomain }
            var values: [Value] = []
            var alias: String?
            for entry in entries {
                if entry == .timeout {
                    guard values.isEmpty else { break }
                    throw Timeout()
                }
                if let value = pick(entry) { values.append(value) }
                if case .cname(let target) = entry { alias = target }
            }
            if !values.isEmpty { return .found(values) }
            guard let alias else { return .noData }
            name = Self.key(alias)
        }
        throw CNAMELoop()
    }

    func txt(_ name: String) async throws -> DNSResult<[String]> {
        try lookup(name) { if case .txt(let text) = $0 { text } else { nil } }
    }

    func a(_ name: String) async throws -> DNSResult<[IPAddress]> {
        try lookup(name) { if case .a(let address) = $0 { address } else { nil } }
    }

    func aaaa(_ name: String) async throws -> DNSResult<[IPAddress]> {
        try lookup(name) { if case .aaaa(let address) = $0 { address } else { nil } }
    }

    func mx(_ name: String) async throws -> DNSResult<[String]> {
        try lookup(name) { if case .mx(let exchange) = $0 { exchange } else { nil } }
    }

    func ptr(_ address: IPAddress) async throws -> DNSResult<[String]> {
        try lookup(DNSName.reverseLookupName(for: address).description) { if case .ptr(let name) = $0 { name } else { nil } }
    }
}
