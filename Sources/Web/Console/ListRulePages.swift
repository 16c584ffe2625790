import Admin
import Core
import Hummingbird
import Lists

/// `/admin/list/rules`: a list's banned addresses and header match rules (pipeline steps 2
/// and 3), each added and removed through the `AdminConsole` calls of `posta list ban` and
/// `posta list rule`.
extension ConsolePages {
    static func rulesLink(_ list: String) -> String { "/admin/list/rules?address=" + FormData.encode(list) }

    func listRules(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let list = try await console.mailingList(as: call.principal, address: try Self.listAddress(call))
        let rules = try await console.listRules(as: call.principal, list: list.address)
        let actions = ModerationAction.allCases.filter { $0 != .defer }.map(\.rawValue)
        let data: [String: Any] = [
            "address": list.address, "link": Self.listLink(list.address),
            "bans": rules.bans.map { ["pattern": $0.pattern, "regex": $0.pattern.hasPrefix("^")] as [String: Any] },
            "noBans": rules.bans.isEmpty,
            "rules": rules.headerRules.map {
                ["id": $0.id, "field": $0.field, "pattern": $0.pattern, "action": $0.action.rawValue] as [String: Any]
            },
            "noRules": rules.headerRules.isEmpty,
            "actions": Self.options(actions, selected: form?.values["action"] ?? "hold"),
        ]
        return page(call, "console_list_rules", title: "Bans and rules", section: "lists", data, form: form)
    }

    func addListBan(_ call: ConsoleCall) async throws -> Response {
        let list = try Self.listAddress(call)
        let pattern = call.form.text("pattern") ?? ""
        let ban = try await console.banFromList(as: call.principal, list: list, pattern: pattern)
        return done(Self.rulesLink(list), "Banned \(ban.pattern).")
    }

    func removeListBan(_ call: ConsoleCall) async throws -> Response {
        let list = try Self.listAddress(call)
        let pattern = call.form.text("pattern") ?? ""
        try await console.unbanFromList(as: call.principal, list: list, pattern: pattern)
        return done(Self.rulesLink(list), "The ban on \(pattern) is lifted.")
    }

    func addListHeaderRule(_ call: ConsoleCall) async throws -> Response {
        let list = try Self.listAddress(call)
        let action: ModerationAction = try Self.choice(call.form, "action", "Action")
        let rule = try await console.addListHeaderRule(
            as: call.principal, list: list, field: call.form.text("field") ?? "", pattern: call.form.text("pattern") ?? "",
            action: action)
        return done(
            Self.rulesLink(list), "Rule \(rule.id) added: \(rule.field) matching \(rule.pattern) → \(rule.action.rawValue).")
    }

    func removeListHeaderRule(_ call: ConsoleCall) async throws -> Response {
        let list = try Self.listAddress(call)
        guard let id = call.form.text("id").flatMap(Int64.init) else { throw AdminError.notFound("rule") }
        try await console.removeListHeaderRule(as: call.principal, list: list, id: id)
        return done(Self.rulesLink(list), "Rule \(id) removed.")
    }
}
