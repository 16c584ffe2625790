import Core

/// Logins' metric (docs/metrics.md), counted by `Authenticator` for every protocol.
public enum DirectoryMetrics {
    public static let authentications = PostaMetric(
        "posta_authentications_total", .counter, labels: ["protocol", "result"],
        help:
            "Login attempts, by listener protocol and result (success, failure, throttled, unavailable, refused after the password check)."
    )

    public static let all = [authentications]

    /// The listener protocols that log in; anything else counts as `other`.
    static let protocols: Set<String> = [
        "smtp", "smtps", "submission", "submissions", "lmtp", "imap", "imaps", "pop3", "pop3s", "http", "managesieve",
    ]

    static func login(_ protocolName: String, _ result: String) {
        authentications.increment(PostaMetric.bounded(protocolName, in: protocols), result)
    }
}
