import SQLKit

/// Accounting: every message a policy matches is added to the totals (messages, octets) of the
/// current window of `period` seconds, at END-OF-MESSAGE. Never decides anything.
struct AccountingModule: Sendable {
    let ruleID: Int64
    let period: Int64

    init(_ settings: PolicySettings, ruleID: Int64) throws {
        self.ruleID = ruleID
        period = try settings.integer("period", default: 3600)
        guard period > 0 else { throw PolicySettingError("accounting: period must be at least 1 second") }
    }

    func evaluate(_ request: PolicyRequest, context: PolicyContext) async throws -> PolicyVerdict? {
        guard request.stage == .endOfMessage else { return nil }
        let window = windowStart(context.now(), period: period)
        try await context.database.transaction { db in
            try await db.raw(
                """
                INSERT INTO policy_accounting (rule_id, window_start, messages, bytes)
                VALUES (\(bind: ruleID), \(bind: window), 1, \(bind: request.size))
                ON CONFLICT (rule_id, window_start) DO UPDATE
                SET messages = policy_accounting.messages + 1, bytes = policy_accounting.bytes + excluded.bytes
                """
            ).run()
        }
        return nil
    }
}
