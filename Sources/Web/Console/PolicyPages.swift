import Admin
import Hummingbird
import Policy

/// `/admin/policies` (superadmin): every policy with its members and rules (access, HELO, SPF,
/// greylisting, quotas with their live counters, accounting); enable or disable a policy or a
/// rule, change a rule's setting.
extension ConsolePages {
    func policies(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let overview = try await console.policies(as: call.principal)
        let mayChange = call.principal.may(.managePolicies)
        let rows: [[String: Any]] = overview.policies.map { policy in
            [
                "name": policy.name, "priority": policy.priority, "enabled": policy.enabled,
                "description": policy.description, "mayChange": mayChange,
                "members": policy.members.map {
                    ["attribute": $0.attribute.rawValue, "pattern": $0.pattern, "negate": $0.negate]
                },
                "noMembers": policy.members.isEmpty,
                "rules": policy.rules.map { rule in
                    [
                        "id": rule.id, "module": rule.module.rawValue, "enabled": rule.enabled, "mayChange": mayChange,
                        "settings": rule.settings.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] },
                        "hasCounters": !overview.counters(rule: rule.id).isEmpty,
                        "counters": overview.counters(rule: rule.id).prefix(20).map {
                            [
                                "key": $0.key, "window": Format.time($0.windowStart), "messages": $0.messages,
                                "bytes": Format.bytes($0.bytes),
                            ]
                        },
                    ] as [String: Any]
                },
                "noRules": policy.rules.isEmpty,
            ]
        }
        return page(
            call, "policies", title: "Policies", section: "policies", ["policies": rows, "empty": rows.isEmpty], form: form)
    }

    func setPolicyEnabled(_ call: ConsoleCall) async throws -> Response {
        guard let name = call.form.text("name") else { throw AdminError.notFound("policy") }
        let enable = call.form["enabled"] == "true"
        try await console.setPolicyEnabled(as: call.principal, name: name, enabled: enable)
        return done("/admin/policies", "Policy \(name) \(enable ? "enabled" : "disabled").")
    }

    func setPolicyRuleEnabled(_ call: ConsoleCall) async throws -> Response {
        guard let id = call.form.text("id").flatMap({ Int64($0) }) else { throw AdminError.notFound("policy rule") }
        let enable = call.form["enabled"] == "true"
        try await console.setPolicyRuleEnabled(as: call.principal, id: id, enabled: enable)
        return done("/admin/policies", "Rule \(id) \(enable ? "enabled" : "disabled").")
    }

    /// Sets one setting of a rule (an empty value removes it).
    func changePolicyRule(_ call: ConsoleCall) async throws -> Response {
        guard let id = call.form.text("id").flatMap({ Int64($0) }) else { throw AdminError.notFound("policy rule") }
        guard let key = call.form.text("key") else { throw AdminError.invalid("Enter the setting to change.") }
        let value = call.form["value"]?.trimmingWhitespace() ?? ""
        try await console.changePolicyRule(as: call.principal, id: id, settings: [key: value])
        return done("/admin/policies", value.isEmpty ? "Rule \(id): \(key) removed." : "Rule \(id): \(key) = \(value).")
    }
}
