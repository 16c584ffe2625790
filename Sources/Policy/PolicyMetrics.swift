import Core

/// The policy engine's metric (docs/metrics.md): each module's verdict, counted by the engine.
public enum PolicyMetrics {
    public static let verdicts = PostaMetric(
        "posta_policy_verdicts_total", .counter, labels: ["module", "action"],
        help:
            "Policy module verdicts, by module (access, helo, spf, greylist, quota, accounting; engine: evaluation failed) and action (DUNNO, OK, REJECT, DEFER, HOLD, DISCARD)."
    )

    public static let all = [verdicts]

    static func verdict(_ module: String, _ action: PolicyAction) { verdicts.increment(module, action.rawValue) }
}

extension PolicyModule {
    /// The module's kind, as the `module` label.
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
