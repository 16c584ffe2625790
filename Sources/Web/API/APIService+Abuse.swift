import Admin
import Core
import Monitor

extension APIService {
    func listAbuseSuspensions(_ input: Operations.ListAbuseSuspensions.Input) async throws
        -> Operations.ListAbuseSuspensions.Output
    {
        let suspensions = try await console.abuseSuspensions(as: principal())
        return .ok(.init(body: .json(.init(items: suspensions.map { .init($0) }))))
    }

    func getAbuseAccount(_ input: Operations.GetAbuseAccount.Input) async throws -> Operations.GetAbuseAccount.Output {
        let view = try await console.abuseAccount(as: principal(), account: input.path.account)
        return .ok(.init(body: .json(.init(view))))
    }

    func releaseAbuseSuspension(_ input: Operations.ReleaseAbuseSuspension.Input) async throws
        -> Operations.ReleaseAbuseSuspension.Output
    {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let deleteHeld = request.deleteHeld ?? false
        let result = try await console.releaseAbuseSuspension(
            as: principal, account: input.path.account, deleteHeld: deleteHeld)
        return .ok(
            .init(
                body: .json(
                    .init(
                        account: result.account, released: result.released, releasedMessages: result.releasedMessages,
                        deletedMessages: result.deletedMessages))))
    }

    func setAbuseIgnore(_ input: Operations.SetAbuseIgnore.Input) async throws -> Operations.SetAbuseIgnore.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        // The document's enum and `AbuseRule` are kept in step; a rule this build does not know
        // is refused, never widened to every rule.
        var rule: AbuseRule?
        if let asked = request.rule, asked != .all {
            guard let known = AbuseRule(rawValue: asked.rawValue) else { throw APIProblem.invalid("unknown abuse rule") }
            rule = known
        }
        let result = try await console.setAbuseIgnore(
            as: principal, target: request.target, rule: rule, remove: request.remove ?? false)
        return .ok(
            .init(
                body: .json(
                    .init(
                        target: result.target, kind: result.kind == "network" ? .network : .account, rule: result.rule,
                        removed: result.removed))))
    }
}

extension Components.Schemas.AbuseSuspension {
    init(_ suspension: AbuseSuspension) {
        self.init(
            account: suspension.account, suspendedAt: suspension.suspendedAt, node: suspension.node, score: suspension.score,
            locked: suspension.locked, heldMessages: suspension.heldMessages)
    }
}

extension Components.Schemas.AbuseAccount {
    init(_ view: AbuseAccountView) {
        self.init(
            account: view.account, suspended: view.suspended, suspension: view.suspension.map { .init($0) },
            score: view.score?.total ?? 0, threshold: view.score?.threshold ?? 0, window: view.score?.window ?? 0,
            rules: (view.score?.rules ?? []).compactMap { rule in
                Components.Schemas.AbuseRuleScore.RulePayload(rawValue: rule.rule.rawValue).map {
                    .init(
                        rule: $0, value: rule.value, threshold: rule.threshold, weight: rule.weight, score: rule.score,
                        ignored: rule.ignored)
                }
            },
            ips: view.ips.map(Components.Schemas.AbuseClientAddress.init),
            ignoredRules: view.ignores.map { $0.rule?.rawValue ?? "all" },
            trail: view.audit.map { .init(at: $0.at, node: $0.node, action: $0.action, detail: $0.detail) })
    }
}

extension APIService {
    /// `GET /abuse/report?since=24h`: `AdminConsole.abuseReport`, as `posta abuse report --json`.
    func getAbuseReport(_ input: Operations.GetAbuseReport.Input) async throws -> Operations.GetAbuseReport.Output {
        let principal = try await principal()
        let since = input.query.since ?? "24h"
        guard let within = ConfigDuration(parsing: since) else {
            throw APIProblem.invalid("since: expected a duration like 90m, 24h or 7d, got '\(since)'")
        }
        let report = try await console.abuseReport(as: principal, within: within)
        return .ok(
            .init(
                body: .json(
                    .init(
                        since: report.since,
                        accounts: report.accounts.map {
                            .init(account: $0.account, ips: $0.ips.map(Components.Schemas.AbuseClientAddress.init))
                        }))))
    }
}

extension Components.Schemas.AbuseClientAddress {
    init(_ ip: AbuseIPSummary) {
        self.init(
            ip: ip.ip, network: ip.network, messages: ip.messages, firstSeen: ip.firstSeen, lastSeen: ip.lastSeen,
            readMail: ip.readMail, rdns: ip.rdns)
    }
}
