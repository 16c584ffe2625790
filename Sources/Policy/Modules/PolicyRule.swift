/// A module attached to a policy, with its settings (`key=value` pairs, checked per module).
public struct PolicyRule: Sendable, Hashable, Codable {
    public var id: Int64
    public var module: PolicyModuleKind
    public var settings: [String: String]
    public var enabled: Bool
}

/// The modules a policy can use.
public enum PolicyModuleKind: String, Sendable, Hashable, Codable, CaseIterable {
    case access
    case helo
    case spf
    case greylist
    case quota
    case accounting

    /// The keys a rule of this module accepts.
    public var keys: Set<String> {
        switch self {
        case .access: ["action", "text"]
        case .helo:
            [
                "blacklist", "whitelist", "reject_invalid", "reject_non_fqdn", "reject_ip_mismatch", "reject_claims_us",
                "max_distinct", "period", "action", "text",
            ]
        case .spf:
            ["pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "helo", "header", "text"]
        case .greylist: ["defer", "expire", "mask", "awl_count", "whitelist", "text"]
        case .quota: ["track", "mask", "period", "messages", "bytes", "action", "text"]
        case .accounting: ["period"]
        }
    }
}

/// A setting that is missing, unknown or malformed.
public struct PolicySettingError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Typed reads of a rule's settings.
struct PolicySettings {
    let module: PolicyModuleKind
    let values: [String: String]

    init(_ rule: PolicyRule) {
        module = rule.module
        values = rule.settings
    }

    func string(_ key: String, default value: String = "") -> String { values[key] ?? value }

    func integer(_ key: String, default value: Int64) throws -> Int64 {
        guard let text = values[key] else { return value }
        guard let number = Int64(text), number >= 0 else {
            throw PolicySettingError("\(module.rawValue): \(key) must be a whole number ≥ 0, not '\(text)'")
        }
        return number
    }

    func bool(_ key: String, default value: Bool = false) throws -> Bool {
        guard let text = values[key] else { return value }
        switch text.lowercased() {
        case "yes", "true", "1", "on": return true
        case "no", "false", "0", "off": return false
        default: throw PolicySettingError("\(module.rawValue): \(key) must be yes or no, not '\(text)'")
        }
    }

    func action(_ key: String, default value: PolicyAction) throws -> PolicyAction {
        guard let text = values[key] else { return value }
        guard let action = PolicyAction(configured: text) else {
            let known = PolicyAction.allCases.map(\.rawValue).joined(separator: ", ")
            throw PolicySettingError("\(module.rawValue): \(key) must be one of \(known), not '\(text)'")
        }
        return action
    }

    /// A comma-separated list, trimmed, empty items dropped.
    func list(_ key: String) -> [String] {
        (values[key] ?? "").split(separator: ",").map { $0.filter { !$0.isWhitespace } }.filter { !$0.isEmpty }
    }
}
