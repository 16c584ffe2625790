extension SPFVerdict {
    /// The `spf=` result of an `Authentication-Results` field (RFC 8601 §2.7.2), e.g.
    /// `spf=pass smtp.mailfrom=sender@example.com` or `spf=none smtp.helo=mail.example.org`:
    /// the checked identity as `smtp.mailfrom` (the <sender>, `postmaster@<helo>` for the null
    /// reverse-path) or `smtp.helo`, and for errors a `reason`.
    public var authenticationResultsClause: String {
        var clause = "spf=\(result.rawValue)"
        if let problem = outcome.problem, [.temperror, .permerror].contains(result) {
            clause += " reason=" + SPFHeaderValue.quoted(problem)
        }
        switch identity {
        case .mailfrom: clause += " smtp.mailfrom=" + Self.pvalue(address: sender)
        case .helo: clause += " smtp.helo=" + SPFHeaderValue.atomOrQuoted(helo)
        }
        return clause
    }

    /// RFC 8601 §2.2 `pvalue = [ [ local-part ] "@" ] domain-name`: the local-part as a
    /// dot-atom or quoted-string (RFC 5322 §3.4.1).
    private static func pvalue(address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return SPFHeaderValue.atomOrQuoted(address) }
        let localPart = String(address[..<at])
        let isQuoted = localPart.count >= 2 && localPart.hasPrefix("\"") && localPart.hasSuffix("\"")
        return (isQuoted ? localPart : SPFHeaderValue.atomOrQuoted(localPart)) + address[at...]
    }
}
