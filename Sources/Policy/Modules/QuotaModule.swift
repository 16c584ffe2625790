import DNS
import SQLKit

/// Sending quotas: at most `messages` messages and `bytes` octets per window of `period`
/// seconds, per sender address, SASL user, client network (IPv4 under `mask`, IPv6 by /64) or
/// recipient.
///
/// Checked at RCPT (and at MAIL for the declared size), counted once per message at
/// END-OF-MESSAGE with one atomic upsert per key, so every node sharing the database shares
/// the counters. Windows are fixed (aligned to multiples of `period` since 1970).
struct QuotaModule: Sendable {
    enum Track: String, Sendable, CaseIterable {
        case sender
        case sasl
        case client
        case recipient
    }

    let ruleID: Int64
    let track: Track
    let mask: Int
    let period: Int64
    let messages: Int64
    let bytes: Int64
    let action: PolicyAction
    let text: String

    init(_ settings: PolicySettings, ruleID: Int64) throws {
        self.ruleID = ruleID
        guard let track = Track(rawValue: settings.string("track")) else {
            let known = Track.allCases.map(\.rawValue).joined(separator: ", ")
            throw PolicySettingError("quota: track must be one of \(known)")
        }
        self.track = track
        mask = Int(try settings.integer("mask", default: 32))
        guard mask <= 32 else { throw PolicySettingError("quota: mask must be at most 32") }
        period = try settings.integer("period", default: 0)
        guard period > 0 else { throw PolicySettingError("quota: period (seconds) is required") }
        messages = try settings.integer("messages", default: 0)
        bytes = try settings.integer("bytes", default: 0)
        guard messages > 0 || bytes > 0 else { throw PolicySettingError("quota: give messages, bytes or both") }
        action = try settings.action("action", default: .deferred)
        guard action == .deferred || action == .reject else { throw PolicySettingError("quota: action must be DEFER or REJECT") }
        text = settings.string("text", default: "Sending quota exceeded, try again later")
    }

    /// The counter keys of a request: one per recipient for `recipient`, else one (none when
    /// the tracked value is unknown, e.g. no SASL user).
    func keys(_ request: PolicyRequest) -> [String] {
        let values: [String]
        switch track {
        case .sender: values = [request.sender.isEmpty ? "<>" : request.sender.lowercased()]
        case .sasl: values = request.saslUsername.isEmpty ? [] : [request.saslUsername.lowercased()]
        case .client:
            values = [IPAddress.network(of: request.clientAddress, ipv4Prefix: mask)]
        case .recipient: values = Set(request.matchedRecipients.map { $0.lowercased() }).sorted()
        }
        return values.filter { !$0.isEmpty }
    }

    func evaluate(_ request: PolicyRequest, context: PolicyContext) async throws -> PolicyVerdict? {
        let keys = keys(request)
        guard !keys.isEmpty else { return nil }
        let window = windowStart(context.now(), period: period)
        switch request.stage {
        case .mail, .rcpt:
            let usage = try await context.database.withConnection { db in
                try await db.raw(
                    """
                    SELECT MAX(messages) AS messages, MAX(bytes) AS bytes FROM policy_quota_counter
                    WHERE rule_id = \(bind: ruleID) AND window_start = \(bind: window) AND track_key IN (\(binds: keys))
                    """
                ).first().map {
                    (
                        try $0.decode(column: "messages", as: Int64?.self) ?? 0,
                        try $0.decode(column: "bytes", as: Int64?.self) ?? 0
                    )
                } ?? (0, 0)
            }
            let overCount = messages > 0 && usage.0 >= messages
            let overSize = bytes > 0 && (usage.1 >= bytes || usage.1 + request.size > bytes)
            return overCount || overSize ? PolicyVerdict(action: action, text: text) : nil
        case .endOfMessage:
            try await context.database.transaction { db in
                for key in keys {
                    try await db.raw(
                        """
                        INSERT INTO policy_quota_counter (rule_id, track_key, window_start, messages, bytes)
                        VALUES (\(bind: ruleID), \(bind: key), \(bind: window), 1, \(bind: request.size))
                        ON CONFLICT (rule_id, track_key, window_start) DO UPDATE
                        SET messages = policy_quota_counter.messages + 1,
                            bytes = policy_quota_counter.bytes + excluded.bytes
                        """
                    ).run()
                }
            }
            return nil
        default:
            return nil
        }
    }
}
