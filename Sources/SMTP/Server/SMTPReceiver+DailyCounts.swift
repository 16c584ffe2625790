import Core

extension SMTPReceiver {
    /// This receiver counting for the daily summary.
    public func withDailyCounts(_ counts: (any DailyCounting)?) -> SMTPReceiver {
        var copy = self
        copy.dailyCounts = counts
        return copy
    }

    /// A message of `size` bytes queued: received by this listener's mode, and submitted by its
    /// account (the metrics, and the day's counts).
    func countAccepted(_ envelope: SMTPEnvelope, size: Int64) {
        SMTPMetrics.received(size: size, mode: mode)
        guard let dailyCounts else { return }
        dailyCounts.add(1, to: .received, key: mode.name)
        if mode == .submission, let user = envelope.authenticatedUser {
            dailyCounts.add(1, to: .submitted, key: user.lowercased())
        }
    }

    /// A reply sent to `client`: by code class in the metrics; a 4xx or 5xx also in the refusals,
    /// by its code and enhanced status code (`550 5.1.1`: bounded keys, the text, which may quote
    /// the client, left out), and by the client's address (hours only).
    func count(_ reply: SMTPReply, client: String) {
        SMTPMetrics.reply(reply.code, mode: mode)
        guard let dailyCounts, reply.isTransientFailure || reply.isPermanentFailure else { return }
        let status = reply.enhancedStatus.map { " \($0)" } ?? ""
        dailyCounts.add(1, to: .refused, key: "\(mode.name) \(reply.code)\(status)")
        dailyCounts.add(1, to: .refusedClient, key: Self.clientKey(client))
    }

    /// An IPv4 client by its address, an IPv6 client by its /64 (one host may hold a whole /64:
    /// counted by address, it could make a new key with every connection).
    static func clientKey(_ client: String) -> String {
        guard client.contains(":"), let network = NetworkPrefix(network: client, v4: 32, v6: 64) else { return client }
        return network.description
    }
}

extension SMTPReceiver.Mode {
    /// `mx`, `submission`, `lmtp`: the `mode` label of the metrics, the key of the day's counts.
    public var name: String {
        switch self {
        case .mx: "mx"
        case .submission: "submission"
        case .lmtp: "lmtp"
        }
    }
}
