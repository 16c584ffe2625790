import Logging

/// Decides requests: finds the policies that apply (by priority), runs each one's modules in
/// order, and returns the first final action. Header fields from every module are collected.
/// At END-OF-MESSAGE every applicable module runs (quotas and accounting count there).
public struct PolicyEngine: Sendable {
    public let catalog: PolicyCatalog
    public let context: PolicyContext

    public init(catalog: PolicyCatalog, context: PolicyContext) {
        self.catalog = catalog
        self.context = context
    }

    /// Whether any enabled policy exists (cheap: cached).
    public func isActive() async -> Bool {
        (try? await catalog.snapshot().policies.isEmpty == false) ?? true
    }

    /// The verdict for `request`. A database failure gives `DEFER` (temporary), never an accept.
    public func evaluate(_ request: PolicyRequest) async -> PolicyVerdict {
        do {
            return try await decide(request)
        } catch {
            context.logger.error("policy evaluation failed", metadata: ["error": "\(String(reflecting: error))"])
            PolicyMetrics.verdict("engine", .deferred)
            return PolicyVerdict(action: .deferred, text: "Policy service temporarily unavailable, try again later")
        }
    }

    private func decide(_ request: PolicyRequest) async throws -> PolicyVerdict {
        let snapshot = try await catalog.snapshot()
        var headers: [String] = []
        var decided: PolicyVerdict?
        for (definition, modules) in snapshot.policies where definition.applies(to: request, groups: snapshot.groups) {
            for (id, module) in modules {
                guard var verdict = try await module.evaluate(request, context: context) else { continue }
                PolicyMetrics.verdict(module.kind.rawValue, verdict.action)
                headers += verdict.headers
                guard decided == nil, verdict.action.isFinal else { continue }
                verdict.decidedBy = "\(definition.name)/\(id)"
                decided = verdict
                if request.stage != .endOfMessage { return finish(verdict, headers: headers, request: request) }
            }
        }
        return finish(decided ?? .dunno, headers: headers, request: request)
    }

    private func finish(_ verdict: PolicyVerdict, headers: [String], request: PolicyRequest) -> PolicyVerdict {
        var verdict = verdict
        verdict.headers = headers
        if verdict.action.isFinal {
            context.logger.info(
                "policy decision",
                metadata: [
                    "stage": "\(request.stage.rawValue)", "client": "\(request.clientAddress)", "sender": "\(request.sender)",
                    "recipient": "\(request.recipient)", "sasl": "\(request.saslUsername)",
                    "action": "\(verdict.action.rawValue)", "by": "\(verdict.decidedBy)",
                ])
        }
        return verdict
    }
}
