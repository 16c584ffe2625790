import DNS

/// The DNS lookups DANE needs: any record type, with the resolver's DNSSEC verdict in
/// `DNSAnswer.authenticData`. `DNSResolver` satisfies it; tests use a table.
public protocol DANEDNSLookup: Sendable {
    func query(_ name: DNSName, _ type: DNSRecordType) async throws -> DNSAnswer
}

extension DNSResolver: DANEDNSLookup {}

/// What DANE (RFC 7672 §2.2) says about one MX host of a destination.
public enum DANEHostPolicy: Hashable, Sendable {
    /// DANE does not apply (insecure MX or address records, no TLSA records, or an insecure TLSA
    /// answer): the next policy (MTA-STS, then opportunistic TLS) decides.
    case notApplicable
    /// Secure TLSA records, none usable (RFC 7672 §2.2): STARTTLS is mandatory, the certificate
    /// is not authenticated.
    case encryptOnly
    /// Secure usable TLSA records: STARTTLS is mandatory and the chain must match (§2.2, §3).
    case authenticate(DANEVerifier)
    /// The TLSA lookup failed on a signed zone (SERVFAIL, timeout, §2.2.1): the host may have
    /// records an attacker suppressed, so it is skipped for now.
    case unavailable(String)
}

/// RFC 7672 §2.2: per destination, whether its MX RRset is secure; per MX host, the TLSA RRset
/// at `_25._tcp.<host>` (after a secure CNAME expansion of the host, then at the host name itself,
/// §2.2.2), usable only when the host's address records are secure too.
public struct DANEPolicyLookup: Sendable {
    public let dns: any DANEDNSLookup
    public let port: Int

    public init(dns: any DANEDNSLookup, port: Int = 25) {
        self.dns = dns
        self.port = port
    }

    /// Whether DANE can apply to the destination's MX hosts: the MX answer (or, for an implicit
    /// MX, the denial of MX records, RFC 7672 §2.2.1) is authenticated. Lookup errors say no
    /// (the MX lookup of the delivery itself reports them).
    public func mxIsSecure(_ domain: String) async -> Bool {
        guard let name = try? DNSName(domain), let answer = try? await dns.query(name, .mx) else { return false }
        return answer.authenticData
    }

    /// The policy for one MX host of `domain` (its MX RRset secure or not).
    public func policy(host: String, domain: String, mxSecure: Bool) async -> DANEHostPolicy {
        guard mxSecure, let hostName = try? DNSName(host) else { return .notApplicable }
        // §2.2.2: the host's address records must be secure; a secure CNAME expansion gives a
        // TLSA base domain tried before the original name.
        let address: DNSAnswer
        do {
            address = try await dns.query(hostName, .a)
        } catch {
            return .notApplicable  // the delivery's own address lookup reports the failure
        }
        guard address.authenticData else { return .notApplicable }
        var bases = [hostName]
        if address.canonicalName != hostName { bases.insert(address.canonicalName, at: 0) }
        for base in bases {
            let owner: DNSName
            do {
                owner = try DNSName("_\(port)._tcp.\(base)")
            } catch {
                continue
            }
            let answer: DNSAnswer
            do {
                answer = try await dns.query(owner, .tlsa)
            } catch {
                return .unavailable("TLSA lookup for \(owner) failed: \(error)")
            }
            guard answer.authenticData else { return .notApplicable }
            let tlsa = answer.records.compactMap(\.tlsa)
            guard !tlsa.isEmpty else { continue }  // secure denial: try the next base, else none
            let usable = tlsa.compactMap(DANERecord.init)
            guard !usable.isEmpty else { return .encryptOnly }
            // §3.2.2: reference identifiers for DANE-TA: the TLSA base domain first, then the
            // MX host name, then the next-hop domain.
            let names = [base.description, host, domain].map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }
            return .authenticate(DANEVerifier(records: usable, referenceNames: names))
        }
        return .notApplicable
    }
}
