import Core

/// Which domain an autoconfiguration request is about.
public enum AutoconfigLookup {
    /// The domain a Thunderbird request asks about: that of `emailaddress` when the client sent it
    /// (Thunderbird's lookup URL carries it), else the request's host with an `autoconfig.` label
    /// dropped (`https://autoconfig.example.org/mail/config-v1.1.xml` and
    /// `https://example.org/.well-known/autoconfig/mail/config-v1.1.xml` are both example.org's).
    /// Candidates in the order to check; empty when neither names a domain.
    public static func candidateDomains(emailAddress: String?, host: String?) -> [String] {
        if let emailAddress {
            guard let address = try? MailAddress(parsing: emailAddress) else { return [] }
            return [address.domain]
        }
        guard var name = host?.lowercased(), !name.hasPrefix("[") else { return [] }  // an IPv6 literal names no domain
        if let colon = name.lastIndex(of: ":") { name = String(name[..<colon]) }
        if name.hasSuffix(".") { name.removeLast() }  // RFC 1034 §3.1 absolute form
        guard (try? DomainName.validate(name)) != nil else { return [] }
        let prefix = "autoconfig."
        if name.hasPrefix(prefix), name.count > prefix.count { return [String(name.dropFirst(prefix.count)), name] }
        return [name]
    }

    /// The first of `candidates` the site receives mail for.
    public static func localDomain(among candidates: [String], site: AutoconfigSite) async throws -> String? {
        for candidate in candidates where try await site.isLocalDomain(candidate) { return candidate }
        return nil
    }
}
