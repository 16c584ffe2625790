import Core

/// The POP3 server's metrics (docs/metrics.md), counted by the adapter (`POP3ServerHandler`).
public enum POP3Metrics {
    public static let commands = PostaMetric(
        "posta_pop3_commands_total", .counter, labels: ["command"],
        help: "POP3 command lines received, by command name (unknown names and SASL data lines as other).")
    public static let commandDuration = PostaMetric(
        "posta_pop3_command_duration_seconds", .durationHistogram(buckets: PostaMetric.commandBuckets),
        labels: ["command"], help: "Time from a POP3 command's arrival to its completion (RETR: the whole message sent).")

    public static let all = [commands, commandDuration]

    /// RFC 1939, RFC 2449 (CAPA), RFC 2595 (STLS), RFC 5034 (AUTH).
    static let names: Set<String> = [
        "USER", "PASS", "AUTH", "CAPA", "STLS", "QUIT", "STAT", "NOOP", "RSET", "LIST", "UIDL", "RETR", "DELE", "TOP", "APOP",
    ]

    /// The `command` label of a command line: its first word in upper case when known, else `other`.
    public static func commandName(_ line: [UInt8]) -> String {
        let word = line.prefix(8).prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        return PostaMetric.bounded(String(decoding: word, as: UTF8.self).uppercased(), in: names)
    }
}
