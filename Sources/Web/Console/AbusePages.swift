import Admin
import Hummingbird
import Monitor

/// `/admin/abuse`: suspended accounts and the network whitelist; `/admin/abuse/show?account=`:
/// one account's score, client addresses, whitelist and trail, with release (sending or
/// deleting the held mail) and ignore actions (docs/abuse.md).
extension ConsolePages {
    func abuse(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let suspensions = try await console.abuseSuspensions(as: call.principal)
        let rows: [[String: Any]] = suspensions.map {
            [
                "account": $0.account, "link": "/admin/abuse/show?account=" + FormData.encode($0.account),
                "suspended": Format.time($0.suspendedAt), "score": $0.score, "held": $0.heldMessages, "locked": $0.locked,
                "node": $0.node,
            ]
        }
        let data: [String: Any] = [
            "suspensions": rows, "empty": rows.isEmpty, "rules": Self.abuseRuleChoices,
            // A network on the whitelist is site-wide.
            "mayNetwork": call.principal.domainScope == nil,
        ]
        return page(call, "abuse", title: "Abuse", section: "abuse", data, form: form)
    }

    func abuseAccount(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        guard let account = call.query.text("account") ?? call.form.text("account") ?? call.form.text("target") else {
            throw AdminError.notFound("account")
        }
        let view = try await console.abuseAccount(as: call.principal, account: account)
        let rules: [[String: Any]] = (view.score?.rules ?? []).map {
            [
                "rule": $0.rule.rawValue, "value": $0.value, "threshold": $0.threshold, "weight": $0.weight, "score": $0.score,
                "ignored": $0.ignored,
            ]
        }
        let ips: [[String: Any]] = view.ips.map {
            [
                "ip": $0.ip, "rdns": $0.rdns.map { $0 as Any } ?? false, "messages": $0.messages,
                "first": Format.time($0.firstSeen),
                "last": Format.time($0.lastSeen), "readMail": $0.readMail,
            ]
        }
        let ignores: [[String: Any]] = view.ignores.map {
            ["rule": $0.rule?.rawValue ?? "all rules", "value": $0.rule?.rawValue ?? "all"]
        }
        let audit: [[String: Any]] = view.audit.prefix(50).map {
            ["at": Format.time($0.at), "action": $0.action, "detail": $0.detail]
        }
        let data: [String: Any] = [
            "account": view.account, "suspended": view.suspended, "locked": view.suspension?.locked ?? false,
            "suspendedAt": Format.time(view.suspension?.suspendedAt), "node": view.suspension?.node ?? "",
            "held": view.suspension?.heldMessages ?? 0, "score": view.score?.total ?? 0,
            "threshold": view.score?.threshold ?? 0, "window": Self.duration(view.score?.window ?? 0),
            "rules": rules, "noRules": rules.isEmpty, "ips": ips, "noIPs": ips.isEmpty, "ignores": ignores,
            "noIgnores": ignores.isEmpty, "ruleChoices": Self.abuseRuleChoices, "audit": audit, "noAudit": audit.isEmpty,
        ]
        return page(call, "abuse_account", title: "Abuse: \(view.account)", section: "abuse", data, form: form)
    }

    func releaseAbuse(_ call: ConsoleCall) async throws -> Response {
        guard let account = call.form.text("account") else { throw AdminError.notFound("account") }
        let deleteHeld = call.form["delete_held"] == "true"
        let result = try await console.releaseAbuseSuspension(as: call.principal, account: account, deleteHeld: deleteHeld)
        let back = "/admin/abuse/show?account=" + FormData.encode(result.account)
        guard result.released else { return done(back, "\(result.account) is not suspended.") }
        return done(
            back,
            "\(result.account) may send again: \(result.releasedMessages) held message(s) released, \(result.deletedMessages) deleted."
        )
    }

    func ignoreAbuse(_ call: ConsoleCall) async throws -> Response {
        guard let target = call.form.text("target") else {
            throw AdminError.invalid("Enter an account address or a network (192.0.2.0/24).")
        }
        let ruleName = call.form.text("rule") ?? "all"
        var rule: AbuseRule?
        if ruleName != "all" {
            guard let known = AbuseRule(rawValue: ruleName) else { throw AdminError.invalid("Choose a rule.") }
            rule = known
        }
        let remove = call.form["remove"] == "true"
        let result = try await console.setAbuseIgnore(as: call.principal, target: target, rule: rule, remove: remove)
        let back =
            result.kind == "account" && call.form["back"] != "list"
            ? "/admin/abuse/show?account=" + FormData.encode(result.target) : "/admin/abuse"
        return done(
            back,
            remove
                ? "Rule \(result.rule) counts again for \(result.kind) \(result.target)."
                : "Rule \(result.rule) is ignored for \(result.kind) \(result.target).")
    }

    /// The rules a whitelist entry may name, "all" first.
    static var abuseRuleChoices: [[String: Any]] {
        [["value": "all", "label": "All rules"]] + AbuseRule.allCases.map { ["value": $0.rawValue, "label": $0.rawValue] }
    }

    /// Seconds as people say them: `2 h`, `90 min`, `45 s`.
    static func duration(_ seconds: Int64) -> String {
        if seconds >= 3600 && seconds % 3600 == 0 { return "\(seconds / 3600) h" }
        if seconds >= 60 && seconds % 60 == 0 { return "\(seconds / 60) min" }
        return "\(seconds) s"
    }
}
