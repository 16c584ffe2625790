import Core
import Policy

/// The policies page: every policy with its members and rules, and the quota rules' live
/// counters (`policy_quota_counter`, the windows the quota module counts in).
public struct PolicyOverview: Sendable {
    public var policies: [PolicyDefinition]
    /// Every counter of the current and recent windows, newest window first.
    public var quotaCounters: [PolicyState.QuotaCounter]

    public init(policies: [PolicyDefinition], quotaCounters: [PolicyState.QuotaCounter]) {
        self.policies = policies
        self.quotaCounters = quotaCounters
    }

    /// The counters of one rule.
    public func counters(rule id: Int64) -> [PolicyState.QuotaCounter] {
        quotaCounters.filter { $0.ruleID == id }
    }
}

/// A rule as the audit log records it.
struct PolicyRuleView: Encodable, Sendable {
    let id: Int64
    let policy: String
    let module: String
    let settings: [String: String]
    let enabled: Bool
}

extension AdminConsole {
    var policyStore: PolicyStore { PolicyStore(database: database) }

    /// Policies, members, rules and quota counters (`viewPolicies`, superadmin only).
    public func policies(as principal: Principal) async throws -> PolicyOverview {
        try principal.requireSiteWide(.viewPolicies)
        let policies = try await policyStore.policies()
        let counters = try await PolicyState(database: database).quotaCounters()
        return PolicyOverview(policies: policies, quotaCounters: counters)
    }

    /// Adds a rule of `module` to `policy`; settings are checked by the module. Returns its id.
    @discardableResult
    public func addPolicyRule(as principal: Principal, policy: String, module: PolicyModuleKind, settings: [String: String])
        async throws -> Int64
    {
        try principal.requireSiteWide(.managePolicies)
        let id: Int64
        do { id = try await policyStore.addRule(policy: policy, module: module, settings: settings) } catch let error
            as PolicyStoreError
        { throw AdminError.invalid(error.description) }
        await audit(
            principal, "policy.rule.add", target: "rule:\(id)",
            after: PolicyRuleView(id: id, policy: policy, module: module.rawValue, settings: settings, enabled: true))
        return id
    }

    /// Merges `settings` into rule `id` (an empty value removes a key), and enables or disables
    /// it when `enabled` is given. The next policy check (e.g. the next SMTP AUTH session's
    /// quota) uses the new settings.
    public func changePolicyRule(as principal: Principal, id: Int64, settings: [String: String], enabled: Bool? = nil)
        async throws
    {
        try principal.requireSiteWide(.managePolicies)
        let before = try await ruleView(id)
        do { try await policyStore.changeRule(id: id, settings: settings, enabled: enabled) } catch let error
            as PolicyStoreError
        { throw AdminError.invalid(error.description) }
        await audit(principal, "policy.rule.change", target: "rule:\(id)", before: before, after: try await ruleView(id))
    }

    /// Enables or disables rule `id`.
    public func setPolicyRuleEnabled(as principal: Principal, id: Int64, enabled: Bool) async throws {
        try await changePolicyRule(as: principal, id: id, settings: [:], enabled: enabled)
    }

    public func deletePolicyRule(as principal: Principal, id: Int64) async throws {
        try principal.requireSiteWide(.managePolicies)
        let before = try await ruleView(id)
        try await policyStore.deleteRule(id: id)
        await audit(principal, "policy.rule.delete", target: "rule:\(id)", before: before)
    }

    /// Enables or disables a whole policy.
    public func setPolicyEnabled(as principal: Principal, name: String, enabled: Bool) async throws {
        try principal.requireSiteWide(.managePolicies)
        guard let before = try await policyStore.policies().first(where: { $0.name == name }) else {
            throw AdminError.notFound("policy \(name)")
        }
        do { try await policyStore.changePolicy(name, enabled: enabled) } catch let error as PolicyStoreError {
            throw AdminError.invalid(error.description)
        }
        await audit(
            principal, enabled ? "policy.enable" : "policy.disable", target: "policy:\(name)",
            before: ["enabled": before.enabled], after: ["enabled": enabled])
    }

    private func ruleView(_ id: Int64) async throws -> PolicyRuleView {
        for policy in try await policyStore.policies() {
            if let rule = policy.rules.first(where: { $0.id == id }) {
                return PolicyRuleView(
                    id: id, policy: policy.name, module: rule.module.rawValue, settings: rule.settings, enabled: rule.enabled)
            }
        }
        throw AdminError.notFound("policy rule \(id)")
    }
}
