import Admin
import Hummingbird
import Policy

/// `/admin/policies` (superadmin): every policy with its members and rules (access, HELO, SPF,
/// greylisting, quotas with their live counters, accounting) and the groups; add and delete
/// policies, members, rules, groups and group entries; enable or disable a policy or a rule,
/// change a policy's priority and description, change a rule's setting.
extension ConsolePages {
    func policies(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let overview = try await console.policies(as: call.principal)
        let mayChange = call.principal.may(.managePolicies)
        let rows: [[String: Any]] = overview.policies.map { policy in
            [
                "name": policy.name, "priority": policy.priority, "enabled": policy.enabled,
                "description": policy.description, "mayChange": mayChange,
                "members": policy.members.map {
                    [
                        "id": $0.id, "policy": policy.name, "attribute": $0.attribute.rawValue, "pattern": $0.pattern,
                        "negate": $0.negate,
                    ]
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
        let groups: [[String: Any]] = try await console.policyGroups(as: call.principal).map { group in
            [
                "name": group.name, "noEntries": group.entries.isEmpty,
                "entries": group.entries.map { ["group": group.name, "pattern": $0] },
            ]
        }
        let data: [String: Any] = [
            "policies": rows, "empty": rows.isEmpty, "groups": groups, "noGroups": groups.isEmpty,
            "attributes": PolicyAttribute.allCases.map(\.rawValue), "modules": PolicyModuleKind.allCases.map(\.rawValue),
        ]
        return page(call, "policies", title: "Policies", section: "policies", data, form: form)
    }

    func addPolicy(_ call: ConsoleCall) async throws -> Response {
        guard let name = call.form.text("name") else { throw AdminError.invalid("Enter the policy's name.") }
        guard let priority = Int64(call.form.text("priority") ?? "50") else {
            throw AdminError.invalid("The priority is a whole number (lower is evaluated first).")
        }
        try await console.addPolicy(
            as: call.principal, name: name, priority: priority, description: call.form.text("description") ?? "")
        return done("/admin/policies", "Policy \(name) added; it applies to every message until you add members.")
    }

    /// Sets a policy's priority and description (an empty description clears it).
    func changePolicy(_ call: ConsoleCall) async throws -> Response {
        guard let name = call.form.text("name") else { throw AdminError.notFound("policy") }
        guard let priority = call.form.text("priority").flatMap({ Int64($0) }) else {
            throw AdminError.invalid("The priority is a whole number (lower is evaluated first).")
        }
        let description = call.form["description"]?.trimmingWhitespace() ?? ""
        try await console.changePolicy(as: call.principal, name: name, priority: priority, description: description)
        return done("/admin/policies", "Policy \(name): priority \(priority)\(description.isEmpty ? ", no description" : "").")
    }

    func deletePolicy(_ call: ConsoleCall) async throws -> Response {
        guard let name = call.form.text("name") else { throw AdminError.notFound("policy") }
        try await console.deletePolicy(as: call.principal, name: name)
        return done("/admin/policies", "Policy \(name) deleted.")
    }

    func addPolicyMember(_ call: ConsoleCall) async throws -> Response {
        guard let policy = call.form.text("policy") else { throw AdminError.notFound("policy") }
        guard let attribute = call.form.text("attribute").flatMap(PolicyAttribute.init(rawValue:)) else {
            throw AdminError.invalid("Choose what the member matches: client, helo, sender, recipient or sasl.")
        }
        guard let pattern = call.form.text("pattern") else { throw AdminError.invalid("Enter a pattern or %group.") }
        let negate = call.form["negate"] == "true"
        try await console.addPolicyMember(
            as: call.principal, policy: policy, attribute: attribute, pattern: pattern, negate: negate)
        return done("/admin/policies", "Policy \(policy) applies to \(negate ? "no " : "")\(attribute.rawValue) \(pattern).")
    }

    func deletePolicyMember(_ call: ConsoleCall) async throws -> Response {
        guard let id = call.form.text("id").flatMap({ Int64($0) }) else { throw AdminError.notFound("policy member") }
        try await console.deletePolicyMember(as: call.principal, id: id)
        return done("/admin/policies", "Member \(id) removed.")
    }

    /// A rule with its settings typed as `key=value` lines.
    func addPolicyRule(_ call: ConsoleCall) async throws -> Response {
        guard let policy = call.form.text("policy") else { throw AdminError.notFound("policy") }
        guard let module = call.form.text("module").flatMap(PolicyModuleKind.init(rawValue:)) else {
            throw AdminError.invalid("Choose a module.")
        }
        let settings = try Self.settings(call.form["settings"] ?? "")
        let id = try await console.addPolicyRule(as: call.principal, policy: policy, module: module, settings: settings)
        return done("/admin/policies", "Rule \(id) (\(module.rawValue)) added to \(policy).")
    }

    func deletePolicyRule(_ call: ConsoleCall) async throws -> Response {
        guard let id = call.form.text("id").flatMap({ Int64($0) }) else { throw AdminError.notFound("policy rule") }
        try await console.deletePolicyRule(as: call.principal, id: id)
        return done("/admin/policies", "Rule \(id) deleted.")
    }

    func addPolicyGroup(_ call: ConsoleCall) async throws -> Response {
        guard let name = call.form.text("name") else { throw AdminError.invalid("Enter the group's name.") }
        try await console.addPolicyGroup(as: call.principal, name: name)
        return done("/admin/policies", "Group \(name) added; members use it as %\(name.lowercased()).")
    }

    func deletePolicyGroup(_ call: ConsoleCall) async throws -> Response {
        guard let name = call.form.text("name") else { throw AdminError.notFound("policy group") }
        try await console.deletePolicyGroup(as: call.principal, name: name)
        return done("/admin/policies", "Group \(name) deleted.")
    }

    func addPolicyGroupEntry(_ call: ConsoleCall) async throws -> Response {
        guard let group = call.form.text("group") else { throw AdminError.notFound("policy group") }
        guard let pattern = call.form.text("pattern") else { throw AdminError.invalid("Enter a pattern.") }
        try await console.addPolicyGroupEntry(as: call.principal, group: group, pattern: pattern)
        return done("/admin/policies", "\(pattern) added to group \(group).")
    }

    func deletePolicyGroupEntry(_ call: ConsoleCall) async throws -> Response {
        guard let group = call.form.text("group"), let pattern = call.form["pattern"] else {
            throw AdminError.notFound("group entry")
        }
        try await console.deletePolicyGroupEntry(as: call.principal, group: group, pattern: pattern)
        return done("/admin/policies", "\(pattern) removed from group \(group).")
    }

    /// Settings typed one `key=value` per line (blank lines skipped); at most 50.
    static func settings(_ text: String) throws(AdminError) -> [String: String] {
        var settings: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let line = String(line).trimmingWhitespace()
            if line.isEmpty { continue }
            guard let equals = line.firstIndex(of: "="), equals != line.startIndex else {
                throw .invalid("Write each setting as key=value, one per line: '\(line.prefix(60))' is not.")
            }
            let key = String(line[..<equals]).trimmingWhitespace()
            settings[key] = String(line[line.index(after: equals)...]).trimmingWhitespace()
        }
        guard settings.count <= 50 else { throw .invalid("At most 50 settings.") }
        return settings
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
