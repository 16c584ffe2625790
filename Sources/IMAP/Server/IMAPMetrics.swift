import Core

/// The IMAP server's metrics (docs/metrics.md), counted by the adapter (`IMAPServerHandler`).
public enum IMAPMetrics {
    public static let commands = PostaMetric(
        "posta_imap_commands_total", .counter, labels: ["command"],
        help: "IMAP commands received, by command name (UID commands as \"UID FETCH\"…; unknown names as other).")
    public static let commandDuration = PostaMetric(
        "posta_imap_command_duration_seconds", .durationHistogram(buckets: PostaMetric.commandBuckets),
        labels: ["command"], help: "Time from an IMAP command's arrival to its completion, by command name.")
    public static let idleSessions = PostaMetric(
        "posta_imap_idle_sessions", .gauge, help: "IMAP sessions in IDLE now (RFC 2177).")

    public static let all = [commands, commandDuration, idleSessions]

    /// The command names of RFC 9051 and the extensions Posta serves.
    static let names: Set<String> = [
        "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "NAMESPACE", "IDLE", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE",
        "AUTHENTICATE", "LOGIN", "ENABLE", "SELECT", "EXAMINE", "CREATE", "DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "RENAME",
        "LIST", "LSUB", "STATUS", "APPEND", "ID", "SEARCH", "FETCH", "STORE", "COPY", "MOVE", "GETQUOTA", "GETQUOTAROOT",
        "SETQUOTA",
    ]
    static let uidNames: Set<String> = ["FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE"]

    /// The `command` label of a framed command (`tag SP name [SP …]`): a known name in upper
    /// case, `UID <name>`, or `other`. Reads at most the first 64 bytes.
    public static func commandName(_ frame: [UInt8]) -> String {
        let words = frame.prefix(64).prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
            .split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self).uppercased() }
        guard words.count >= 2 else { return "other" }
        if words[1] == "UID" {
            return words.count >= 3 && uidNames.contains(words[2]) ? "UID \(words[2])" : "other"
        }
        return PostaMetric.bounded(words[1], in: names)
    }
}
