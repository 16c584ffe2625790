import Core

/// One recipient's share of the spam decision.
public struct RecipientSpamVerdict: Sendable, Equatable {
    /// Deliver into Junk (spam, and Junk delivery on).
    public var junk: Bool
    /// `X-Spam-*` header fields with this recipient's threshold.
    public var headers: [String]
    /// This recipient's reject threshold is reached.
    public var rejects: Bool
}

/// Spam scores judged per recipient (docs/filter.md, "Per-user and per-domain settings"):
/// - a recipient's thresholds and Junk switch are its `SpamPreferences`, else the scanner's
///   configured ones (`junk_score`, else the scanner's own threshold; `reject_score`; `junk`);
/// - with several spam scanners, one that finds spam (or reaches the reject threshold) is enough;
/// - the message is refused (`554 5.7.1`) only when *every* recipient reaches its reject
///   threshold; otherwise those that do get it as spam (Junk, or INBOX flagged with Junk off);
/// - the message is quarantined when a scanner's `quarantine_score` is reached (not per recipient).
public enum SpamDecision {
    public enum Outcome: Sendable, Equatable {
        case reject(DeliveryReply)
        /// Deliver with one verdict per recipient (in order); held in the quarantine when a reason is given.
        case deliver([RecipientSpamVerdict], quarantine: String?)
    }

    public static func decide(_ reports: [SpamReport], recipients: [SpamPreferences]) -> Outcome {
        let verdicts = recipients.map { recipient(reports, $0) }
        if !verdicts.isEmpty, verdicts.allSatisfy(\.rejects),
            let worst = reports.max(by: { $0.score < $1.score })
        {
            return .reject(
                DeliveryReply(
                    554, .init(5, 7, 1), "Message rejected as spam (score \(SpamVerdict.format(worst.score)))"))
        }
        let held = reports.first { report in
            report.thresholds.quarantine.map { report.score >= $0 } ?? false
        }
        return .deliver(
            verdicts,
            quarantine: held.map { "spam: score \(SpamVerdict.format($0.score)) (\($0.scanner))" })
    }

    /// What `reports` mean for a recipient with `preferences`.
    public static func recipient(_ reports: [SpamReport], _ preferences: SpamPreferences)
        -> RecipientSpamVerdict
    {
        var verdict = RecipientSpamVerdict(junk: false, headers: [], rejects: false)
        for report in reports {
            let junkAt = preferences.junkThreshold ?? report.thresholds.junk ?? report.required
            let rejects =
                (preferences.rejectThreshold ?? report.thresholds.reject).map { report.score >= $0 }
                ?? false
            let isSpam = rejects || report.score >= junkAt
            verdict.headers +=
                SpamVerdict.headers(report, junkAt: junkAt, isSpam: isSpam) + report.extraHeaders
            verdict.junk = verdict.junk || (isSpam && (preferences.junk ?? report.thresholds.junkFolder))
            verdict.rejects = verdict.rejects || rejects
        }
        return verdict
    }

    /// The message's verdict when every recipient has the configured settings.
    static func verdict(_ reports: [SpamReport]) -> FilterVerdict {
        switch decide(reports, recipients: [SpamPreferences()]) {
        case .reject(let reply): return .reject(reply)
        case .deliver(let verdicts, let held):
            let headers = verdicts[0].headers
            if let held { return .quarantine(reason: held, headers: headers) }
            return verdicts[0].junk ? .junk(headers: headers) : .accept(headers: headers)
        }
    }
}
