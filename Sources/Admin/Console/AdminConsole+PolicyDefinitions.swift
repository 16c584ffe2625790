import Core
import Foundation
import Policy

/// A policy's own fields as the audit log records them.
struct PolicyHeadView: Encodable, Sendable {
    let name: String
    let priority: Int64
    let enabled: Bool
    let description: String
}

/// A member as the audit log records it.
struct PolicyMemberView: Encodable, Sendable {
    let id: Int64
    let policy: String
    let attribute: String
    let pattern: String
    let negate: Bool
}

/// Policies, members and groups as whole things (site-wide, superadmin only): what
/// `posta policy add|change|del`, `posta policy member …` and `posta policy group …` do.
extension AdminConsole {
    /// Longest description, pattern or group entry a request may give.
    public static let maxPolicyText = 1_000

    /// Adds an enabled policy without members (it applies to everything) and rules.
    public func addPolicy(as principal: Principal, name: String, priority: Int64, description: String = "") async throws {
        try principal.requireSiteWide(.managePolicies)
        try Self.checkPolicyText(description, "description")
        try await Self.translatePolicy {
            try await policyStore.addPolicy(name, priority: priority, description: description)
        }
        await audit(
            principal, "policy.add", target: "policy:\(name)",
            after: PolicyHeadView(name: name, priority: priority, enabled: true, description: description))
    }

    /// Changes a policy's priority and/or description (nil leaves it).
    public func changePolicy(
        as principal: Principal, name: String, priority: Int64?, description: String?, enabled: Bool? = nil
    ) async throws {
        try principal.requireSiteWide(.managePolicies)
        if let description { try Self.checkPolicyText(description, "description") }
        let before = try await policyDefinition(name)
        // One transaction for all three: a change is applied whole or not at all.
        try await Self.translatePolicy {
            try await policyStore.changePolicy(name, priority: priority, enabled: enabled, description: description)
        }
        let after = try await policyDefinition(name)
        await audit(principal, "policy.change", target: "policy:\(name)", before: Self.head(before), after: Self.head(after))
    }

    /// Deletes a policy with its members and rules.
    public func deletePolicy(as principal: Principal, name: String) async throws {
        try principal.requireSiteWide(.managePolicies)
        let before = try await policyDefinition(name)
        try await Self.translatePolicy { try await policyStore.deletePolicy(name) }
        await audit(principal, "policy.delete", target: "policy:\(name)", before: before)
    }

    /// Adds a member (who `policy` applies to); `%name` patterns must name an existing group.
    @discardableResult
    public func addPolicyMember(
        as principal: Principal, policy: String, attribute: PolicyAttribute, pattern: String, negate: Bool = false
    ) async throws -> Int64 {
        try principal.requireSiteWide(.managePolicies)
        try Self.checkPolicyText(pattern, "pattern")
        _ = try await policyDefinition(policy)
        let id = try await Self.translatePolicy {
            try await policyStore.addMember(policy: policy, attribute: attribute, pattern: pattern, negate: negate)
        }
        await audit(
            principal, "policy.member.add", target: "member:\(id)",
            after: PolicyMemberView(id: id, policy: policy, attribute: attribute.rawValue, pattern: pattern, negate: negate))
        return id
    }

    /// Deletes member `id`.
    public func deletePolicyMember(as principal: Principal, id: Int64) async throws {
        try principal.requireSiteWide(.managePolicies)
        let found = try await policyStore.policies().lazy.compactMap { policy in
            policy.members.first { $0.id == id }.map { (policy: policy.name, member: $0) }
        }.first
        guard let policy = found?.policy, let member = found?.member else {
            throw AdminError.notFound("policy member \(id)")
        }
        try await Self.translatePolicy { try await policyStore.deleteMember(id: id) }
        await audit(
            principal, "policy.member.delete", target: "member:\(id)",
            before: PolicyMemberView(
                id: id, policy: policy, attribute: member.attribute.rawValue, pattern: member.pattern, negate: member.negate))
    }

    /// Every policy group with its entries, by name (`viewPolicies`, superadmin only).
    public func policyGroups(as principal: Principal) async throws -> [PolicyGroup] {
        try principal.requireSiteWide(.viewPolicies)
        return try await policyStore.groups()
    }

    /// Adds an empty group, used in members as `%name`.
    public func addPolicyGroup(as principal: Principal, name: String) async throws {
        try principal.requireSiteWide(.managePolicies)
        try await Self.translatePolicy { try await policyStore.addGroup(name) }
        await audit(principal, "policy.group.add", target: "group:\(name.lowercased())", after: [String]())
    }

    /// Deletes a group no member uses.
    public func deletePolicyGroup(as principal: Principal, name: String) async throws {
        try principal.requireSiteWide(.managePolicies)
        let before = try await policyGroup(name)
        try await Self.translatePolicy { try await policyStore.deleteGroup(name) }
        await audit(principal, "policy.group.delete", target: "group:\(before.name)", before: before.entries)
    }

    /// Adds `pattern` to group `name` (nothing changes when it is there already).
    public func addPolicyGroupEntry(as principal: Principal, group name: String, pattern: String) async throws {
        try principal.requireSiteWide(.managePolicies)
        let pattern = pattern.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !pattern.isEmpty else { throw AdminError.invalid("Enter a pattern.") }
        try Self.checkPolicyText(pattern, "pattern")
        let before = try await policyGroup(name)
        try await Self.translatePolicy { try await policyStore.addGroupEntry(group: name, pattern: pattern) }
        await audit(
            principal, "policy.group.change", target: "group:\(before.name)", before: before.entries,
            after: try await policyGroup(name).entries)
    }

    /// Removes `pattern` from group `name`.
    public func deletePolicyGroupEntry(as principal: Principal, group name: String, pattern: String) async throws {
        try principal.requireSiteWide(.managePolicies)
        let before = try await policyGroup(name)
        try await Self.translatePolicy { try await policyStore.deleteGroupEntry(group: name, pattern: pattern) }
        await audit(
            principal, "policy.group.change", target: "group:\(before.name)", before: before.entries,
            after: try await policyGroup(name).entries)
    }

    // MARK: Helpers

    private func policyDefinition(_ name: String) async throws -> PolicyDefinition {
        guard let policy = try await policyStore.policies().first(where: { $0.name == name }) else {
            throw AdminError.notFound("policy \(name)")
        }
        return policy
    }

    private func policyGroup(_ name: String) async throws -> PolicyGroup {
        guard let group = try await policyStore.groups().first(where: { $0.name == name.lowercased() }) else {
            throw AdminError.notFound("policy group \(name)")
        }
        return group
    }

    private static func head(_ policy: PolicyDefinition) -> PolicyHeadView {
        PolicyHeadView(name: policy.name, priority: policy.priority, enabled: policy.enabled, description: policy.description)
    }

    private static func checkPolicyText(_ text: String, _ what: String) throws(AdminError) {
        guard text.count <= maxPolicyText else { throw .invalid("the \(what) is longer than \(maxPolicyText) characters") }
    }
}
