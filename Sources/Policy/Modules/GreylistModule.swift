import Core
import DNS
import SQLKit

/// Greylisting at RCPT: the first attempt of a new triplet (client network, sender, recipient)
/// is deferred; a retry after `defer` seconds passes. After `awl_count` triplets from a client
/// network have passed, that network is whitelisted automatically. Entries not seen for
/// `expire` seconds are forgotten (a triplet then starts over).
struct GreylistModule: Sendable {
    let deferSeconds: Int64
    let expire: Int64
    let mask: Int
    let autoWhitelistCount: Int64
    /// Client networks (CIDR) and sender domains (`example.org`, `.example.org` for subdomains).
    let whitelist: [String]
    let text: String

    init(_ settings: PolicySettings) throws {
        deferSeconds = try settings.integer("defer", default: 300)
        expire = try settings.integer("expire", default: 30 * 86400)
        mask = Int(try settings.integer("mask", default: 24))
        guard mask <= 32 else { throw PolicySettingError("greylist: mask must be at most 32") }
        autoWhitelistCount = try settings.integer("awl_count", default: 0)
        whitelist = settings.list("whitelist")
        text = settings.string("text", default: "Greylisted, please try again later")
    }

    func isWhitelisted(_ request: PolicyRequest) -> Bool {
        let domain = request.sender.split(separator: "@").last.map { String($0).lowercased() } ?? ""
        return whitelist.contains { entry in
            if let network = IPNetwork(entry) {
                return IPAddress(request.clientAddress).map(network.contains) ?? false
            }
            return !request.sender.isEmpty && PolicyPattern.domainMatches(entry.lowercased(), domain)
        }
    }

    func evaluate(_ request: PolicyRequest, context: PolicyContext) async throws -> PolicyVerdict? {
        guard request.stage == .rcpt, !request.recipient.isEmpty, !isWhitelisted(request) else { return nil }
        let network = IPAddress.network(of: request.clientAddress, ipv4Prefix: mask)
        let sender = request.sender.lowercased()
        let recipient = request.recipient.lowercased()
        let now = context.now()
        let stale = now - expire
        return try await context.database.transaction { db -> PolicyVerdict? in
            if autoWhitelistCount > 0,
                let passes = try await db.raw(
                    "SELECT passes FROM policy_greylist_client WHERE network = \(bind: network) AND last_seen >= \(bind: stale)"
                ).first()?.decode(column: "passes", as: Int64.self), passes >= autoWhitelistCount
            {
                try await db.raw("UPDATE policy_greylist_client SET last_seen = \(bind: now) WHERE network = \(bind: network)")
                    .run()
                return nil
            }
            // A new or expired triplet starts over; a known one records the attempt.
            let row = try await db.raw(
                """
                INSERT INTO policy_greylist_triplet (network, sender, recipient, first_seen, last_seen, passed)
                VALUES (\(bind: network), \(bind: sender), \(bind: recipient), \(bind: now), \(bind: now), 0)
                ON CONFLICT (network, sender, recipient) DO UPDATE SET
                  first_seen = CASE WHEN policy_greylist_triplet.last_seen < \(bind: stale) THEN excluded.first_seen
                               ELSE policy_greylist_triplet.first_seen END,
                  passed = CASE WHEN policy_greylist_triplet.last_seen < \(bind: stale) THEN 0
                           ELSE policy_greylist_triplet.passed END,
                  last_seen = excluded.last_seen
                RETURNING first_seen, passed
                """
            ).first()
            let firstSeen = try row?.decode(column: "first_seen", as: Int64.self) ?? now
            let passed = try row?.decode(column: "passed", as: Int64.self) ?? 0
            if passed != 0 { return nil }
            guard now - firstSeen >= deferSeconds else { return PolicyVerdict(action: .deferred, text: text) }
            try await db.raw(
                """
                UPDATE policy_greylist_triplet SET passed = 1
                WHERE network = \(bind: network) AND sender = \(bind: sender) AND recipient = \(bind: recipient)
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO policy_greylist_client (network, passes, last_seen) VALUES (\(bind: network), 1, \(bind: now))
                ON CONFLICT (network) DO UPDATE SET passes = policy_greylist_client.passes + 1, last_seen = excluded.last_seen
                """
            ).run()
            return nil
        }
    }
}

/// Removes greylist entries and HELO history not seen for `olderThan` seconds.
public enum PolicyHousekeeping {
    public static func purge(_ database: Database, olderThan seconds: Int64, now: Int64 = UnixTime.now()) async throws
        -> Int
    {
        let cutoff = now - seconds
        return try await database.transaction { db in
            var removed = 0
            for table in ["policy_greylist_triplet", "policy_greylist_client", "policy_helo_seen"] {
                removed += try await db.raw(
                    "DELETE FROM \(unsafeRaw: table) WHERE last_seen < \(bind: cutoff) RETURNING last_seen"
                ).all().count
            }
            return removed
        }
    }
}
