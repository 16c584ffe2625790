import Core

/// The content filter's metric (docs/metrics.md): each scanner's verdict, counted by the chain.
public enum FilterMetrics {
    public static let verdicts = PostaMetric(
        "posta_filter_verdicts_total", .counter, labels: ["scanner", "outcome"],
        help:
            "Content scanner verdicts, by scanner and outcome (accept, junk, quarantine, reject, tempfail, scored for spam scores, error)."
    )

    public static let all = [verdicts]

    /// Scanner names are the built-in steps' (`ContentScanner.name`); anything else counts as `other`.
    static let scanners: Set<String> = [
        "clamav", "spamassassin", "rspamd", "content rules",
    ]

    static func verdict(_ scanner: String, _ outcome: String) {
        verdicts.increment(PostaMetric.bounded(scanner, in: scanners), outcome)
    }
}

extension FilterVerdict {
    /// The `outcome` label.
    var metricLabel: String {
        switch self {
        case .accept: "accept"
        case .junk: "junk"
        case .quarantine: "quarantine"
        case .reject: "reject"
        case .tempfail: "tempfail"
        }
    }
}
