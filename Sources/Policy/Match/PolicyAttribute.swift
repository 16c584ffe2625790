/// What a policy member or group entry is matched against.
public enum PolicyAttribute: String, Sendable, Hashable, Codable, CaseIterable {
    /// Client IP address: an address or a CIDR network.
    case client
    /// HELO/EHLO name: exact, or `.example.org` for that domain and its subdomains.
    case helo
    /// Envelope sender: `user@domain`, `@domain`, `.domain` (subdomains too), `user@`, or `<>` for the null sender.
    case sender
    /// Envelope recipient, patterns as for the sender.
    case recipient
    /// SASL username, exact (case-insensitive).
    case sasl

    /// The request's values for this attribute (several recipients at END-OF-MESSAGE).
    func values(in request: PolicyRequest) -> [String] {
        switch self {
        case .client: [request.clientAddress]
        case .helo: [request.helo]
        case .sender: [request.sender]
        case .recipient: request.matchedRecipients
        case .sasl: [request.saslUsername]
        }
    }
}
