/// Where a fetched policy came from, as the policy cache keeps it: the policy, the TXT `id` it was
/// fetched under, and until when it may be used (fetch time + `max_age`, RFC 8461 §3.3, §5.1).
public struct MTASTSCachedPolicy: Sendable, Hashable, Codable {
    public var domain: String
    public var id: String
    public var policy: MTASTSPolicy
    public var fetchedAt: Int64
    public var expiresAt: Int64

    public init(domain: String, id: String, policy: MTASTSPolicy, fetchedAt: Int64) {
        self.domain = domain
        self.id = id
        self.policy = policy
        self.fetchedAt = fetchedAt
        self.expiresAt = fetchedAt + policy.maxAge
    }

    public func isValid(at time: Int64) -> Bool { time < expiresAt }
}
