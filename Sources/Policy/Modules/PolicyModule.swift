/// A rule's module with its settings checked and typed.
enum PolicyModule: Sendable {
    case access(AccessModule)
    case helo(HELOModule)
    case spf(SPFModule)
    case greylist(GreylistModule)
    case quota(QuotaModule)
    case accounting(AccountingModule)

    /// Checks the settings: unknown keys and malformed values are errors.
    init(_ rule: PolicyRule) throws {
        let unknown = Set(rule.settings.keys).subtracting(rule.module.keys)
        if let key = unknown.sorted().first {
            let known = rule.module.keys.sorted().joined(separator: ", ")
            throw PolicySettingError("\(rule.module.rawValue): unknown setting '\(key)' (known: \(known))")
        }
        let settings = PolicySettings(rule)
        switch rule.module {
        case .access: self = .access(try AccessModule(settings))
        case .helo: self = .helo(try HELOModule(settings))
        case .spf: self = .spf(try SPFModule(settings))
        case .greylist: self = .greylist(try GreylistModule(settings))
        case .quota: self = .quota(try QuotaModule(settings, ruleID: rule.id))
        case .accounting: self = .accounting(try AccountingModule(settings, ruleID: rule.id))
        }
    }

    /// This module's opinion on `request`, or nil for none. Modules that count (quota at
    /// END-OF-MESSAGE, accounting) update their counters here.
    func evaluate(_ request: PolicyRequest, context: PolicyContext) async throws -> PolicyVerdict? {
        switch self {
        case .access(let module): module.evaluate(request)
        case .helo(let module): try await module.evaluate(request, context: context)
        case .spf(let module): await module.evaluate(request, context: context)
        case .greylist(let module): try await module.evaluate(request, context: context)
        case .quota(let module): try await module.evaluate(request, context: context)
        case .accounting(let module): try await module.evaluate(request, context: context)
        }
    }
}
