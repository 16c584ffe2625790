import DNS

/// An SPF check of one identity of one SMTP session, with what the headers need to say
/// about it (RFC 7208 §9.1, RFC 8601 §2.7.2).
public struct SPFVerdict: Sendable, Hashable {
    public var identity: SPFIdentity
    /// The client address as seen by the SMTP server.
    public var clientIP: IPAddress
    /// The <sender> checked: the MAIL FROM address, or `postmaster@<helo>` (§2.4, §2.3).
    public var sender: String
    /// The reverse-path as given (`""` for the null reverse-path); nil for a HELO check.
    public var envelopeFrom: String?
    /// The <domain> checked.
    public var domain: String
    public var helo: String
    public var outcome: SPFOutcome

    public init(
        identity: SPFIdentity, clientIP: IPAddress, sender: String, envelopeFrom: String?, domain: String,
        helo: String, outcome: SPFOutcome
    ) {
        self.identity = identity
        self.clientIP = clientIP
        self.sender = sender
        self.envelopeFrom = envelopeFrom
        self.domain = domain
        self.helo = helo
        self.outcome = outcome
    }

    public var result: SPFResult { outcome.result }
}
