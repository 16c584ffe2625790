import DNS
import MailAuth

/// SPF (RFC 7208) of the MAIL FROM identity (the HELO identity for the null sender, or with
/// `helo = yes` first the HELO identity): an action per result, and a `Received-SPF` or
/// `Authentication-Results` header field (`header = received-spf | authentication-results | no`).
/// Runs at RCPT (where both Postfix and the inline check see the full envelope).
struct SPFModule: Sendable {
    let actions: [SPFResult: PolicyAction]
    let checkHELO: Bool
    let header: String
    let text: String

    init(_ settings: PolicySettings) throws {
        var actions: [SPFResult: PolicyAction] = [:]
        for result in SPFResult.allCases {
            actions[result] = try settings.action(result.rawValue, default: .dunno)
        }
        self.actions = actions
        checkHELO = try settings.bool("helo")
        header = settings.string("header", default: "received-spf").lowercased()
        guard ["received-spf", "authentication-results", "no"].contains(header) else {
            throw PolicySettingError("spf: header must be received-spf, authentication-results or no")
        }
        text = settings.string("text")
    }

    func evaluate(_ request: PolicyRequest, context: PolicyContext) async -> PolicyVerdict? {
        guard request.stage == .rcpt, let checker = context.spf, let ip = IPAddress(request.clientAddress) else { return nil }
        var verdict: SPFVerdict?
        if checkHELO && HELOName(request.helo).isFullyQualified {
            let helo = await checker.checkHELO(ip: ip, helo: request.helo)
            if helo.result == .fail || helo.result == .pass { verdict = helo }
        }
        if verdict == nil {
            verdict = await checker.checkMailFrom(ip: ip, reversePath: request.sender, helo: request.helo)
        }
        guard let verdict else { return nil }
        let action = actions[verdict.result] ?? .dunno
        var headers: [String] = []
        switch header {
        case "received-spf": headers.append(verdict.receivedSPF(receiver: context.hostname))
        case "authentication-results":
            headers.append("Authentication-Results: \(context.hostname); \(verdict.authenticationResultsClause)")
        default: break
        }
        let reason =
            text.isEmpty
            ? "SPF \(verdict.result.rawValue): \(verdict.outcome.explanation ?? "see https://www.open-spf.org/Why")" : text
        return PolicyVerdict(action: action, text: action == .dunno ? "" : reason, headers: headers)
    }
}
