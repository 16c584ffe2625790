import MailAuth

/// Whether a post's author domain asks receivers to refuse or quarantine mail that fails DMARC
/// (RFC 9989 §4.10: its own record, else its organizational domain's `sp`), looked up at post time.
public protocol AuthorPolicyLookup: Sendable {
    /// True for `p=quarantine` or `p=reject` (and when the lookup failed: the list plays safe).
    func isStrict(authorDomain: String) async -> Bool
}

/// The lookup through the DMARC checker: a policy discovery for a message without any aligned
/// authentication, which gives the policy the domain publishes.
public struct DMARCAuthorPolicy: AuthorPolicyLookup {
    let checker: DMARCChecker

    public init(dns: any DMARCDNS) { checker = DMARCChecker(dns: dns) }

    public func isStrict(authorDomain: String) async -> Bool {
        let evaluation = await checker.evaluate(DMARCMessage(fromDomains: [authorDomain]))
        if evaluation.result == .temperror { return true }
        return evaluation.publishedPolicy == .quarantine || evaluation.publishedPolicy == .reject
    }
}
