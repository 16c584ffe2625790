import DNS

/// The DNS lookup MTA-STS makes: TXT records of `_mta-sts.<domain>` (RFC 8461 §3.1), each
/// record's strings joined. `DNSResolver` meets it; tests use an in-memory zone.
public protocol MTASTSDNS: Sendable {
    func txt(_ name: String) async throws -> DNSResult<[String]>
}

extension DNSResolver: MTASTSDNS {}

/// What the `_mta-sts` TXT lookup says about a domain.
public enum MTASTSDiscovery: Sendable, Hashable {
    /// One valid STSv1 record.
    case record(MTASTSRecord)
    /// No record, several, or an invalid one: the domain has no available policy (§3.1).
    case noPolicy
    /// The lookup failed (timeout, SERVFAIL): a cached policy stays in force (§5.1).
    case temporaryFailure(String)

    /// Looks up `_mta-sts.<domain>`.
    public static func discover(_ domain: String, dns: any MTASTSDNS) async -> MTASTSDiscovery {
        do {
            switch try await dns.txt(MTASTSRecord.name(for: domain)) {
            case .found(let texts): return MTASTSRecord.select(texts).map { .record($0) } ?? .noPolicy
            case .noData, .nxDomain: return .noPolicy
            }
        } catch {
            return .temporaryFailure("\(error)")
        }
    }
}
