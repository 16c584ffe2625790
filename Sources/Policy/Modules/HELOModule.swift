import DNS
import SQLKit

/// HELO/EHLO checks: whitelist (skips the rest), blacklist, syntax, non-FQDN, an address
/// literal that is not the client's address, a name that claims to be this server, and a limit
/// on the distinct HELO names one client address used within `period` seconds (every name seen
/// is recorded in the database, so all nodes count together).
///
/// Runs at HELO, MAIL and RCPT (Postfix's `smtpd_delay_reject` habit: reject at RCPT).
struct HELOModule: Sendable {
    let blacklist: [String]
    let whitelist: [String]
    let rejectInvalid: Bool
    let rejectNonFQDN: Bool
    let rejectIPMismatch: Bool
    let rejectClaimsUs: Bool
    let maxDistinct: Int64
    let period: Int64
    let action: PolicyAction
    let text: String

    init(_ settings: PolicySettings) throws {
        blacklist = settings.list("blacklist")
        whitelist = settings.list("whitelist")
        rejectInvalid = try settings.bool("reject_invalid")
        rejectNonFQDN = try settings.bool("reject_non_fqdn")
        rejectIPMismatch = try settings.bool("reject_ip_mismatch")
        rejectClaimsUs = try settings.bool("reject_claims_us")
        maxDistinct = try settings.integer("max_distinct", default: 0)
        period = try settings.integer("period", default: 3600)
        action = try settings.action("action", default: .reject)
        text = settings.string("text")
    }

    func evaluate(_ request: PolicyRequest, context: PolicyContext) async throws -> PolicyVerdict? {
        guard [.helo, .mail, .rcpt].contains(request.stage), !request.helo.isEmpty else { return nil }
        let helo = request.helo
        if listed(helo, in: whitelist) { return nil }
        if let reason = try await refusal(helo, request: request, context: context) {
            return PolicyVerdict(action: action, text: text.isEmpty ? reason : text)
        }
        return nil
    }

    private func refusal(_ helo: String, request: PolicyRequest, context: PolicyContext) async throws -> String? {
        let name = HELOName(helo)
        if listed(helo, in: blacklist) { return "Helo command rejected: Access denied" }
        if rejectInvalid && name == .invalid { return "Helo command rejected: Invalid name" }
        if rejectNonFQDN, case .domain = name, !name.isFullyQualified {
            return "Helo command rejected: need fully-qualified hostname"
        }
        if rejectIPMismatch, case .addressLiteral(let address) = name, IPAddress(request.clientAddress) != address {
            return "Helo command rejected: address literal is not your address"
        }
        if rejectClaimsUs, case .domain(let domain) = name, domain == context.hostname.lowercased() {
            return "Helo command rejected: You are not me"
        }
        if maxDistinct > 0, try await distinctNames(helo, client: request.clientAddress, context: context) > maxDistinct {
            return "Helo command rejected: too many different HELO names from your address"
        }
        return nil
    }

    private func listed(_ helo: String, in patterns: [String]) -> Bool {
        patterns.contains { PolicyPattern.domainMatches($0.lowercased(), helo.lowercased()) }
    }

    /// Records this name for the client and counts the names it used within the period.
    private func distinctNames(_ helo: String, client: String, context: PolicyContext) async throws -> Int64 {
        let now = context.now()
        return try await context.database.transaction { db in
            try await db.raw(
                """
                INSERT INTO policy_helo_seen (client, helo, last_seen) VALUES (\(bind: client), \(bind: helo.lowercased()), \(bind: now))
                ON CONFLICT (client, helo) DO UPDATE SET last_seen = excluded.last_seen
                """
            ).run()
            return try await db.raw(
                "SELECT COUNT(*) AS n FROM policy_helo_seen WHERE client = \(bind: client) AND last_seen > \(bind: now - period)"
            ).first()?.decode(column: "n", as: Int64.self) ?? 0
        }
    }
}
