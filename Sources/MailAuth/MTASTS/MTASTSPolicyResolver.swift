import Core

/// Fetches a domain's policy body over HTTPS (RFC 8461 §3.3); implemented in Server with NIO and
/// NIOSSL, by tests with a closure. It throws on any failure (connection, certificate, status,
/// redirect, content type, size, timeout).
public protocol MTASTSPolicyFetcher: Sendable {
    func fetchPolicy(domain: String) async throws -> [UInt8]
}

/// The policy that applies to a recipient domain now, and what went wrong finding it (for TLS-RPT).
public struct MTASTSLookup: Sendable, Hashable {
    /// The policy in force (possibly a cached one after a failed refresh); nil: none applies.
    public var policy: MTASTSCachedPolicy?
    /// Why the latest fetch failed (`sts-policy-fetch-error` / `sts-policy-invalid`,
    /// RFC 8460 §4.3.2.2); nil when nothing failed.
    public var failure: MTASTSFetchFailure?

    public init(policy: MTASTSCachedPolicy?, failure: MTASTSFetchFailure? = nil) {
        self.policy = policy
        self.failure = failure
    }

    /// The policy when its mode is `enforce` or `testing`; `none` and no policy are the same to a
    /// sender (§5).
    public var active: MTASTSCachedPolicy? {
        policy.flatMap { $0.policy.mode == .none ? nil : $0 }
    }
}

/// A failed policy fetch.
public enum MTASTSFetchFailure: Sendable, Hashable, CustomStringConvertible {
    /// The HTTPS fetch failed (connection, certificate, status, redirect, timeout, type, size).
    case fetchError(String)
    /// The body was fetched but is not a valid policy.
    case invalid(String)

    public var description: String {
        switch self {
        case .fetchError(let reason): "policy fetch failed: \(reason)"
        case .invalid(let reason): "invalid policy: \(reason)"
        }
    }
}

/// How a sender finds the MTA-STS policy of a recipient domain (RFC 8461 §3, §5.1):
/// 1. look up the `_mta-sts` TXT record;
/// 2. with a record whose `id` equals the cached policy's, and that policy unexpired: use it;
/// 3. with a record and no (or another, or an expired) cached policy: fetch, validate, cache;
///    when that fails, keep using an unexpired cached policy, else none applies;
/// 4. without a record (or when the lookup fails): an unexpired cached policy stays in force — a
///    policy is withdrawn by publishing `mode: none`, not by deleting the record (§8.3).
public struct MTASTSPolicyResolver: Sendable {
    public let dns: any MTASTSDNS
    public let fetcher: any MTASTSPolicyFetcher
    public let store: MTASTSPolicyStore

    public init(dns: any MTASTSDNS, fetcher: any MTASTSPolicyFetcher, store: MTASTSPolicyStore) {
        self.dns = dns
        self.fetcher = fetcher
        self.store = store
    }

    /// The policy of `domain` at `now` (seconds since 1970). Database errors count as "no cached
    /// policy" for reading and are ignored for writing: a sender then falls back to what it would
    /// do without MTA-STS rather than holding mail.
    public func lookup(_ domain: String, now: Int64 = UnixTime.now()) async -> MTASTSLookup {
        let domain = domain.lowercased()
        let cached = (try? await store.policy(for: domain)).flatMap { $0.isValid(at: now) ? $0 : nil }
        guard case .record(let record) = await MTASTSDiscovery.discover(domain, dns: dns) else {
            return MTASTSLookup(policy: cached)
        }
        if let cached, cached.id == record.id { return MTASTSLookup(policy: cached) }
        let body: [UInt8]
        do {
            body = try await fetcher.fetchPolicy(domain: domain)
        } catch {
            return MTASTSLookup(policy: cached, failure: .fetchError("\(error)"))
        }
        let policy: MTASTSPolicy
        do {
            policy = try MTASTSPolicy(parsing: body)
        } catch {
            return MTASTSLookup(policy: cached, failure: .invalid(error.description))
        }
        let fresh = MTASTSCachedPolicy(domain: domain, id: record.id, policy: policy, fetchedAt: now)
        try? await store.save(fresh)
        return MTASTSLookup(policy: fresh)
    }
}
