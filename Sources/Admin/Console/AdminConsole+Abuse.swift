import Core
import Foundation
import Monitor

/// A suspension as the audit log records it.
struct AbuseSuspensionView: Encodable, Sendable {
    let account: String
    let suspendedAt: Int64
    let score: Int
    let locked: Bool
    let heldMessages: Int

    init(_ suspension: AbuseSuspension) {
        account = suspension.account
        suspendedAt = suspension.suspendedAt
        score = suspension.score
        locked = suspension.locked
        heldMessages = suspension.heldMessages
    }

    enum CodingKeys: String, CodingKey {
        case account, score, locked
        case suspendedAt = "suspended_at"
        case heldMessages = "held_messages"
    }
}

extension AdminConsole {
    /// The abuse monitor, or `AdminError.conflict` on a site that runs none.
    func abuseMonitor() throws(AdminError) -> AbuseMonitor {
        guard let abuse else { throw .conflict("compromised-account detection is not set up on this site") }
        return abuse
    }

    /// Suspended accounts (docs/abuse.md): every one for a superadmin, those of their domains for
    /// a domain admin.
    public func abuseSuspensions(as principal: Principal) async throws -> [AbuseSuspension] {
        try principal.require(.manageAbuse)
        let all = try await abuseMonitor().list()
        guard let scope = principal.domainScope else { return all }
        return all.filter { scope.contains(Principal.domain(of: $0.account)) }
    }

    /// One account's score, client addresses, suspension, whitelist entries and abuse trail.
    public func abuseAccount(as principal: Principal, account: String) async throws -> AbuseAccountView {
        try principal.require(.manageAbuse, in: try Self.domain(of: account))
        let monitor = try abuseMonitor()
        return try await Self.translateAbuse { try await monitor.show(account: account, now: now) }
    }

    /// Lifts the suspension of `account` and releases its held mail (or deletes it when
    /// `deleteHeld`); `released` is false when it was not suspended (nothing is audited then).
    public func releaseAbuseSuspension(as principal: Principal, account: String, deleteHeld: Bool) async throws
        -> AbuseRelease
    {
        try principal.require(.manageAbuse, in: try Self.domain(of: account))
        let monitor = try abuseMonitor()
        let before = try await monitor.store.suspension(account: account)
        let result = try await Self.translateAbuse {
            try await monitor.release(account: account, deleteHeld: deleteHeld, now: now)
        }
        if result.released {
            await audit(
                principal, deleteHeld ? "abuse.release.delete-held" : "abuse.release", target: result.account.lowercased(),
                before: before.map(AbuseSuspensionView.init), after: result)
        }
        return result
    }

    /// Whitelists an account or a network for `rule` (nil: every rule), or removes the entry.
    /// An account is scoped to the principal's domains; a network is site-wide (superadmin).
    public func setAbuseIgnore(as principal: Principal, target: String, rule: AbuseRule?, remove: Bool) async throws
        -> AbuseIgnoreResult
    {
        let target = target.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !target.isEmpty, target.utf8.count <= 320 else {
            throw AdminError.invalid("Enter an account address or a network (192.0.2.0/24).")
        }
        if target.contains("@") {
            try principal.require(.manageAbuse, in: try Self.domain(of: target))
        } else {
            try principal.requireSiteWide(.manageAbuse)
        }
        let monitor = try abuseMonitor()
        let result = try await Self.translateAbuse { try await monitor.ignore(target, rule: rule, remove: remove, now: now) }
        let entry = ["kind": result.kind, "target": result.target, "rule": result.rule]
        await audit(
            principal, remove ? "abuse.unignore" : "abuse.ignore", target: result.target, before: remove ? entry : nil,
            after: remove ? nil : entry)
        return result
    }

    /// The abuse monitor's refusals as `AdminError`s.
    static func translateAbuse<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as AbuseError {
            switch error {
            case .unknownAccount: throw AdminError.notFound(error.description)
            case .badTarget: throw AdminError.invalid(error.description)
            }
        }
    }
}
