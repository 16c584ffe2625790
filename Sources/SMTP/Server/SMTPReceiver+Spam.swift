import Filter
import Queue

extension SMTPReceiver {
    /// The chain's outcome with the spam scores judged per recipient (`SpamDecision`): each
    /// delivery gets its own `X-Spam-*` fields and, when it is spam to its owner, Junk; what is
    /// left for the message (refuse, quarantine, deliver) is returned.
    func judgeSpam(
        _ outcome: FilterOutcome, deliveries: inout [QueuedDelivery], settings: SpamSettingsStore?
    ) async throws -> FilterVerdict {
        switch outcome.verdict {
        case .reject, .tempfail: return outcome.verdict
        case .accept, .junk, .quarantine: break
        }
        guard !outcome.spam.isEmpty else { return outcome.verdict }
        let local = deliveries.indices.filter { deliveries[$0].kind == .local }
        var preferences = Array(repeating: SpamPreferences(), count: deliveries.count)
        if let settings {
            let resolved = try await settings.preferences(for: local.map { deliveries[$0].target })
            for (index, found) in zip(local, resolved) { preferences[index] = found }
        }
        switch SpamDecision.decide(outcome.spam, recipients: preferences) {
        case .reject(let reply):
            return .reject(reply)
        case .deliver(let verdicts, let quarantine):
            for (index, verdict) in verdicts.enumerated() {
                deliveries[index].headers =
                    verdict.headers.isEmpty ? nil : verdict.headers.map { $0 + "\r\n" }.joined()
                if verdict.junk && deliveries[index].kind == .local { deliveries[index].mailbox = "Junk" }
            }
            if case .quarantine = outcome.verdict { return outcome.verdict }
            if let quarantine { return .quarantine(reason: quarantine, headers: outcome.verdict.headers) }
            return outcome.verdict
        }
    }
}
