extension DMARCEvaluation {
    /// The `dmarc=` result of an `Authentication-Results` field (RFC 8601 §2.2, RFC 9989 §9.1), e.g.
    /// `dmarc=fail (p=reject dis=quarantine) header.from=example.com policy.dmarc=quarantine`: the
    /// Author Domain as `header.from`, the policy asked for after `sp`/`np`/`t` as `policy.dmarc`,
    /// the published policy and the disposition in a comment, a `reason` for errors.
    public var authenticationResultsClause: String {
        var clause = "dmarc=\(result.rawValue)"
        if [.temperror, .permerror].contains(result), let reason = reasons.last {
            clause += " reason=" + SPFHeaderValue.quoted(reason)
        }
        if let publishedPolicy {
            var comment = "p=\(publishedPolicy)"
            if result == .fail { comment += " dis=\(disposition)" }
            if !overrides.isEmpty { comment += " override=" + overrides.map(\.type.rawValue).joined(separator: ",") }
            clause += " " + SPFHeaderValue.comment(comment)
        }
        if let authorDomain { clause += " header.from=" + authorDomain }
        if let requestedPolicy { clause += " policy.dmarc=" + requestedPolicy.rawValue }
        return clause
    }
}
