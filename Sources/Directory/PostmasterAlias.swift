import Core

extension Directory {
    /// `<Postmaster>` without a domain (RFC 5321 §4.5.1) arrives as postmaster@<hostname>, and
    /// the mail Posta writes to the postmaster goes there by default; when the host name is not
    /// itself a local domain, it is the postmaster of the domain above it
    /// (postmaster@mx1.example.org → postmaster@example.org).
    public func postmasterAlias(_ address: MailAddress, hostname: String) async throws -> MailAddress {
        let host = hostname.lowercased()
        guard address.localPart.lowercased() == "postmaster", address.domain == host,
            try await !isLocalDomain(host),
            let dot = host.firstIndex(of: ".")
        else { return address }
        return MailAddress(localPart: "postmaster", domain: String(host[host.index(after: dot)...]))
    }
}
