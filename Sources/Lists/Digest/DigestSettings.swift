/// How a member receives the posts.
public enum DeliveryMode: String, Sendable, Codable, CaseIterable {
    /// One copy per post.
    case regular
    /// Posts collected into a MIME digest (RFC 2046 §5.1.5 `multipart/digest`).
    case mimeDigest = "mime-digest"
    /// Posts collected into a plain-text digest (RFC 1153).
    case plainDigest = "plain-digest"
}

/// When a list sends the digest of the posts collected so far (besides when they pass the size
/// threshold).
public enum DigestPeriod: String, Sendable, Codable, CaseIterable {
    /// Only when the size threshold is passed (or an owner sends it).
    case none
    case daily
    case weekly
    case monthly

    /// Seconds after the last digest when the next one is due.
    var seconds: Int64? {
        switch self {
        case .none: nil
        case .daily: 86_400
        case .weekly: 7 * 86_400
        case .monthly: 30 * 86_400
        }
    }
}
