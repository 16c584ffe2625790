import Core
import Logging
import MIME
import SQLKit

extension ListTransport {
    /// A bounce of a member's copy (VERP names the member): a permanent failure counts once per
    /// day; at the list's threshold the member's delivery is disabled (`bounces`), visible in
    /// `posta list member list`. Warnings (delays) and bounces naming nobody are only logged.
    func recordBounce(_ message: MIMEMessage, list: MailingList, member: MailAddress?, key: String) async throws {
        let report = BounceParser.parse(message.bytes)
        var failed = Set(report.permanent.map { $0.key })
        if let member, !report.permanent.isEmpty || report.detector == nil { failed.insert(member.key) }
        // Without VERP only the addresses the report names count, and only members of this list.
        let facts = PostFacts(message: message, reversePath: nil, size: Int64(message.bytes.count), list: list)
        let now = UnixTime.now()
        let today = now / 86_400
        let threshold = Int64(list.bounceThreshold)
        let failedKeys = failed.sorted()
        let disabled: [String] = try await database.transaction { db in
            var disabled: [String] = []
            for address in failedKeys {
                guard let row = try await MailingLists.member(listID: list.id, key: address, role: .member, in: db) else {
                    continue
                }
                let last =
                    try await db.select().column("last_bounce_at").from("list_member").where("id", .equal, row.id)
                    .first(decodingColumn: "last_bounce_at", as: Int64?.self) ?? nil
                guard last.map({ $0 / 86_400 }) != today else { continue }
                try await db.raw(
                    "UPDATE list_member SET bounce_score = bounce_score + 1, last_bounce_at = \(bind: now) WHERE id = \(bind: row.id)"
                ).run()
                let score =
                    try await db.select().column("bounce_score").from("list_member").where("id", .equal, row.id)
                    .first(decodingColumn: "bounce_score", as: Int64.self) ?? 0
                if threshold > 0, score >= threshold, row.disabled == nil {
                    try await db.update("list_member").set("disabled", to: SQLBind(DeliveryDisabled.bounces.rawValue))
                        .where("id", .equal, row.id).run()
                    disabled.append(row.address)
                }
            }
            try await PostRecord(
                key: key, listID: list.id, facts: facts, outcome: "bounce", reason: failedKeys.joined(separator: " "), copies: 0
            ).insert(db)
            return disabled
        }
        logger.info(
            "list bounce",
            metadata: [
                "list": "\(list.address)", "failed": "\(failed.sorted())", "detector": "\(report.detector?.rawValue ?? "none")",
                "disabled": "\(disabled)",
            ])
    }
}
