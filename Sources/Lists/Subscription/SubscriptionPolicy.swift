/// How a request to join or leave a list is granted (Mailman's subscription policies).
public enum SubscriptionPolicy: String, Sendable, Codable, CaseIterable {
    /// At once, without asking anyone (for requests by mail from the address itself; a request
    /// made on the web page is confirmed by mail all the same, as anyone can type any address).
    case open
    /// After the address confirms: a reply to the confirmation message, or its web link.
    case confirm
    /// After an owner or moderator approves.
    case moderate
    /// After the address confirms, then a moderator approves.
    case confirmThenModerate = "confirm-then-moderate"
}
