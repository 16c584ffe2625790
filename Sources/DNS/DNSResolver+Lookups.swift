extension DNSResolver {
    /// MX records of `domain` in delivery order: by preference, equal preferences shuffled
    /// (RFC 5321 §5.1). `.noData` means no MX (fall back to the domain's A/AAAA, RFC 5321
    /// §5.1); a null MX (RFC 7505) comes back as found, see `isNullMX`.
    public func mx(_ domain: String) async throws -> DNSResult<[MXData]> {
        var generator = SystemRandomNumberGenerator()
        return try await query(domain, .mx).result { $0.compactMap(\.mx).sortedForDelivery(using: &generator) }
    }

    /// The A and AAAA addresses of `name` (IPv4 first), the two queries made at the same time.
    /// A failure of one family is only thrown when the other found no address; NXDOMAIN from
    /// either means the name does not exist.
    public func addresses(_ name: String) async throws -> DNSResult<[IPAddress]> {
        let name = try DNSName(name)
        async let v4 = capture { try await self.query(name, .a) }
        async let v6 = capture { try await self.query(name, .aaaa) }
        let results = await [v4, v6]
        let found = results.flatMap { (try? $0.get())?.records.compactMap(\.address) ?? [] }
        if !found.isEmpty { return .found(found) }
        for result in results { _ = try result.get() }
        return results.contains { (try? $0.get())?.kind == .nxDomain } ? .nxDomain : .noData
    }

    /// The TXT records of `name`, each one's character-strings joined (RFC 7208 §3.3,
    /// RFC 6376 §3.6.2.2).
    public func txt(_ name: String) async throws -> DNSResult<[String]> {
        try await query(name, .txt).result { $0.compactMap(\.txt?.text) }
    }

    /// The PTR names of an address (in-addr.arpa, RFC 1035 §3.5; ip6.arpa, RFC 3596 §2.5).
    public func ptr(ip: String) async throws -> DNSResult<[DNSName]> {
        guard let address = IPAddress(ip) else { throw DNSError.invalidAddress(ip) }
        return try await ptr(ip: address)
    }

    public func ptr(ip: IPAddress) async throws -> DNSResult<[DNSName]> {
        try await query(DNSName.reverseLookupName(for: ip), .ptr).result { $0.compactMap(\.targetName) }
    }
}

extension DNSAnswer {
    /// The kind as a `DNSResult`, records turned into values by `transform`.
    public func result<Value>(_ transform: ([DNSResourceRecord]) -> Value) -> DNSResult<Value> {
        switch kind {
        case .records(let records): .found(transform(records))
        case .noData: .noData
        case .nxDomain: .nxDomain
        }
    }
}

private func capture<Success>(_ body: () async throws -> Success) async -> Result<Success, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}

extension Array where Element == MXData {
    /// Sorted by preference, lowest first; records of equal preference in random order
    /// (RFC 5321 §5.1: "randomized to spread the load").
    public func sortedForDelivery<G: RandomNumberGenerator>(using generator: inout G) -> [MXData] {
        let groups = Dictionary(grouping: self, by: \.preference)
        return groups.keys.sorted().flatMap { groups[$0]!.shuffled(using: &generator) }
    }

    /// RFC 7505 §3: the domain accepts no mail — a single MX whose exchange is the root.
    public var isNullMX: Bool { count == 1 && self[0].isNull }
}
