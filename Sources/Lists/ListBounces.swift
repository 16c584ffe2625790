import Core
import Logging
import MIME
import SQLKit

extension ListTransport {
    /// Days after which a member's earlier bounces no longer count: the score starts again
    /// (Mailman's `bounce_info_stale_after`).
    static let bounceStaleDays: Int64 = 7

    /// A message to the list's bounce address. Only a bounce to a member's own VERP address
    /// (`dept-bounces+TOKEN@`, a secret only that member's copies carried) scores, and only when
    /// it is a permanent failure: a report naming the failure, or an unrecognised message from
    /// the null sender that is not an auto-reply (RFC 3834). A permanent failure counts once per
    /// day; a score older than `bounceStaleDays` starts again at one; at the list's threshold the
    /// member's delivery is disabled (`bounces`), visible in `posta list member list`. Anything
    /// else (delays, bounces without a token, a token naming nobody) is only logged, so a
    /// forged bounce cannot take a member off a list.
    func recordBounce(_ message: MIMEMessage, list: MailingList, token: String?, nullSender: Bool, key: String) async throws {
        let report = BounceParser.parse(message.bytes)
        let facts = PostFacts(message: message, reversePath: nil, size: Int64(message.bytes.count), list: list)
        let autoReply = message.header.field("Auto-Submitted").map { $0.value.lowercased().hasPrefix("auto-replied") } ?? false
        let permanent = !report.permanent.isEmpty || (report.detector == nil && nullSender && !autoReply)
        let now = UnixTime.now()
        let startOfDay = now / 86_400 * 86_400
        let stale = now - Self.bounceStaleDays * 86_400
        let threshold = Int64(list.bounceThreshold)
        let result: (member: String?, score: Int64?, disabled: Bool) = try await database.transaction { db in
            var member: ListMember? = nil
            if let token, token.count <= 64 {
                let rows = try await MailingLists.memberQuery(db).where("list_id", .equal, list.id)
                    .where(SQLFunction("lower", args: SQLIdentifier("token")), .equal, SQLBind(token.lowercased()))
                    .limit(2).all().map(MailingLists.decodeMember)
                member = rows.count == 1 && rows[0].role == .member ? rows[0] : nil
            }
            var score: Int64? = nil
            var disabled = false
            if let member, permanent {
                // One statement decides and counts, so two bounces at once on two nodes count once.
                score = try await db.raw(
                    """
                    UPDATE list_member SET
                      bounce_score = CASE WHEN last_bounce_at IS NULL OR last_bounce_at < \(bind: stale) THEN 1
                                          ELSE bounce_score + 1 END,
                      last_bounce_at = \(bind: now)
                    WHERE id = \(bind: member.id) AND (last_bounce_at IS NULL OR last_bounce_at < \(bind: startOfDay))
                    RETURNING bounce_score
                    """
                ).first(decodingColumn: "bounce_score", as: Int64.self)
                if let score, threshold > 0, score >= threshold, member.disabled == nil {
                    try await db.update("list_member").set("disabled", to: SQLBind(DeliveryDisabled.bounces.rawValue))
                        .where("id", .equal, member.id).where("disabled", .is, SQLLiteral.null).run()
                    disabled = true
                }
            }
            let outcome = member == nil ? "bounce-unattributed" : permanent ? "bounce" : "bounce-warning"
            try await PostRecord(
                key: key, listID: list.id, facts: facts, outcome: outcome, reason: member?.address ?? "", copies: 0
            ).insert(db)
            return (member?.address, score, disabled)
        }
        logger.info(
            "list bounce",
            metadata: [
                "list": "\(list.address)", "member": "\(result.member ?? "unknown")",
                "detector": "\(report.detector?.rawValue ?? "none")", "permanent": "\(permanent)",
                "score": "\(result.score.map(String.init) ?? "unchanged")", "disabled": "\(result.disabled)",
            ])
    }
}
