import Admin
import Policy

// The policy engine's values as the document's schemas (Components.Schemas, generated).

/// The engine's types by names that the generated schemas of the same name do not shadow.
typealias PolicyRecord = PolicyDefinition
typealias PolicyRuleRecord = PolicyRule
typealias PolicyMemberRecord = PolicyMember
typealias QuotaCounterRecord = PolicyState.QuotaCounter

extension Components.Schemas.Policy {
    /// `policy` with its rules' counters from `overview`.
    init(_ policy: PolicyRecord, _ overview: PolicyOverview) {
        self.init(
            name: policy.name, priority: policy.priority, enabled: policy.enabled, description: policy.description,
            members: policy.members.map { .init($0) },
            rules: policy.rules.map { .init($0, policy: policy.name, counters: overview.counters(rule: $0.id)) })
    }
}

extension Components.Schemas.PolicyMember {
    init(_ member: PolicyMemberRecord) {
        let attribute: AttributePayload =
            switch member.attribute {
            case .client: .client
            case .helo: .helo
            case .sender: .sender
            case .recipient: .recipient
            case .sasl: .sasl
            }
        self.init(id: member.id, attribute: attribute, pattern: member.pattern, negate: member.negate)
    }
}

extension Components.Schemas.PolicyRule {
    init(_ rule: PolicyRuleRecord, policy: String, counters: [QuotaCounterRecord]) {
        self.init(
            id: rule.id, policy: policy, module: .init(rule.module), settings: .init(additionalProperties: rule.settings),
            enabled: rule.enabled, counters: counters.map { .init($0) })
    }
}

extension Components.Schemas.QuotaCounter {
    init(_ counter: QuotaCounterRecord) {
        self.init(key: counter.key, windowStart: counter.windowStart, messages: counter.messages, bytes: counter.bytes)
    }
}

extension Components.Schemas.PolicyModule {
    init(_ kind: PolicyModuleKind) {
        switch kind {
        case .access: self = .access
        case .helo: self = .helo
        case .spf: self = .spf
        case .greylist: self = .greylist
        case .quota: self = .quota
        case .accounting: self = .accounting
        }
    }

    var kind: PolicyModuleKind {
        switch self {
        case .access: .access
        case .helo: .helo
        case .spf: .spf
        case .greylist: .greylist
        case .quota: .quota
        case .accounting: .accounting
        }
    }
}
