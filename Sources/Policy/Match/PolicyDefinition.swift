/// A named policy: who it applies to (members) and what it does (rules), evaluated by priority
/// (lower first, then by name).
public struct PolicyDefinition: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var priority: Int64
    public var enabled: Bool
    public var description: String
    public var members: [PolicyMember]
    public var rules: [PolicyRule]
}

/// One condition of a policy: an attribute and a pattern, or `%group` for a named group's entries.
///
/// A policy applies when, for every attribute it has members for, at least one non-negated
/// member matches (or it has only negated ones) and no negated member matches. A policy with
/// no members applies to everything.
public struct PolicyMember: Sendable, Hashable, Codable {
    public var id: Int64
    public var attribute: PolicyAttribute
    public var pattern: String
    public var negate: Bool
}

/// A named list of patterns, used by members as `%name`.
public struct PolicyGroup: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var entries: [String]
}

extension PolicyDefinition {
    /// Whether this policy applies to `request`; `groups` resolves `%name` patterns.
    func applies(to request: PolicyRequest, groups: [String: PolicyGroup]) -> Bool {
        let byAttribute = Dictionary(grouping: members, by: \.attribute)
        for (attribute, members) in byAttribute {
            let values = attribute.values(in: request)
            func hit(_ member: PolicyMember) -> Bool {
                let patterns: [String]
                if member.pattern.hasPrefix("%") {
                    patterns = groups[String(member.pattern.dropFirst()).lowercased()]?.entries ?? []
                } else {
                    patterns = [member.pattern]
                }
                return patterns.contains { pattern in
                    values.contains { PolicyPattern.matches(pattern, attribute: attribute, value: $0) }
                }
            }
            if members.contains(where: { $0.negate && hit($0) }) { return false }
            let positives = members.filter { !$0.negate }
            if !positives.isEmpty && !positives.contains(where: hit) { return false }
        }
        return true
    }
}
