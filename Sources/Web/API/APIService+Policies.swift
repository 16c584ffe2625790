import Admin
import Policy

extension APIService {
    func listPolicies(_ input: Operations.ListPolicies.Input) async throws -> Operations.ListPolicies.Output {
        let overview = try await console.policies(as: principal())
        return .ok(.init(body: .json(.init(items: overview.policies.map { .init($0, overview) }))))
    }

    func updatePolicy(_ input: Operations.UpdatePolicy.Input) async throws -> Operations.UpdatePolicy.Output {
        let principal = try await principal()
        guard case .json(let change) = input.body else { throw APIProblem(.unsupportedMediaType) }
        guard change.enabled != nil || change.priority != nil || change.description != nil else {
            throw APIProblem.invalid("give enabled, priority, description or several")
        }
        if change.priority == nil && change.description == nil, let enabled = change.enabled {
            try await console.setPolicyEnabled(as: principal, name: input.path.name, enabled: enabled)
        } else {
            try await console.changePolicy(
                as: principal, name: input.path.name, priority: change.priority, description: change.description,
                enabled: change.enabled)
        }
        let overview = try await console.policies(as: principal)
        guard let policy = overview.policies.first(where: { $0.name == input.path.name }) else {
            throw APIProblem(.notFound, detail: "no policy \(input.path.name)")
        }
        return .ok(.init(body: .json(.init(policy, overview))))
    }

    func createPolicyRule(_ input: Operations.CreatePolicyRule.Input) async throws -> Operations.CreatePolicyRule.Output {
        let principal = try await principal()
        guard case .json(let rule) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let settings = try Self.policySettings(rule.settings)
        // The store calls an unknown policy invalid; for the API it is the path that names nothing (404).
        guard try await console.policies(as: principal).policies.contains(where: { $0.name == input.path.name }) else {
            throw APIProblem(.notFound, detail: "no policy \(input.path.name)")
        }
        let id = try await console.addPolicyRule(
            as: principal, policy: input.path.name, module: rule.module.kind, settings: settings)
        return .created(.init(body: .json(try await policyRule(id, as: principal))))
    }

    func updatePolicyRule(_ input: Operations.UpdatePolicyRule.Input) async throws -> Operations.UpdatePolicyRule.Output {
        let principal = try await principal()
        guard case .json(let change) = input.body else { throw APIProblem(.unsupportedMediaType) }
        guard change.settings != nil || change.enabled != nil else {
            throw APIProblem.invalid("give settings, enabled or both")
        }
        try await console.changePolicyRule(
            as: principal, id: input.path.id, settings: try Self.policySettings(change.settings),
            enabled: change.enabled)
        return .ok(.init(body: .json(try await policyRule(input.path.id, as: principal))))
    }

    func deletePolicyRule(_ input: Operations.DeletePolicyRule.Input) async throws -> Operations.DeletePolicyRule.Output {
        try await console.deletePolicyRule(as: principal(), id: input.path.id)
        return .noContent(.init())
    }

    /// Rule `id` as it is now, with its policy's name and its quota counters.
    private func policyRule(_ id: Int64, as principal: Principal) async throws -> Components.Schemas.PolicyRule {
        let overview = try await console.policies(as: principal)
        for policy in overview.policies {
            if let rule = policy.rules.first(where: { $0.id == id }) {
                return .init(rule, policy: policy.name, counters: overview.counters(rule: id))
            }
        }
        throw APIProblem(.notFound, detail: "no policy rule \(id)")
    }

    /// A request's settings within the document's bounds (`PolicySettings`: at most 50 keys of
    /// 64 characters, values of 4096); what the keys and values mean is the module's to check.
    static func policySettings(_ settings: Components.Schemas.PolicySettings?) throws -> [String: String] {
        let values = settings?.additionalProperties ?? [:]
        guard values.count <= APILimits.policySettings else {
            throw APIProblem.invalid("at most \(APILimits.policySettings) settings")
        }
        for (key, value) in values {
            guard key.count <= APILimits.policySettingKey, value.count <= APILimits.policySettingValue else {
                throw APIProblem.invalid(
                    "a setting's key may have \(APILimits.policySettingKey) characters, its value \(APILimits.policySettingValue)"
                )
            }
        }
        return values
    }
}
