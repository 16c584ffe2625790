import Admin
import Filter
import Hummingbird

/// `/admin/filters`: the spam settings of domains (`@domain`) and accounts, each with what it
/// inherits (account over domain over `[filter]`); add or change, delete.
extension ConsolePages {
    func filters(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let settings = try await console.filterSettings(as: call.principal)
        let rows: [[String: Any]] = settings.map { entry in
            [
                "scope": entry.scope, "domain": entry.isDomain,
                "edit": "/admin/filters?scope=" + FormData.encode(entry.scope) + "#filter-form",
            ].merging(Self.spamColumns(entry.own, inherited: entry.inherited)) { a, _ in a }
        }
        var data: [String: Any] = [
            "domains": rows.filter { $0["domain"] as? Bool == true }, "accounts": rows.filter { $0["domain"] as? Bool != true },
            "empty": rows.isEmpty, "scanner": console.spamDefaults != nil,
        ]
        data["noDomains"] = (data["domains"] as? [[String: Any]])?.isEmpty ?? true
        data["noAccounts"] = (data["accounts"] as? [[String: Any]])?.isEmpty ?? true
        data["site"] = Self.spamColumns(SpamPreferences(), inherited: console.spamDefaults ?? SpamPreferences())
        // "Change" fills the form with the scope's own values (a re-shown form keeps what was typed).
        if form == nil, let scope = call.query.text("scope"),
            let chosen = settings.first(where: { $0.scope == scope.lowercased() })
        {
            data["values"] = [
                "scope": chosen.scope, "junkThreshold": chosen.own.junkThreshold.map(Self.score) ?? "",
                "rejectThreshold": chosen.own.rejectThreshold.map(Self.score) ?? "",
            ]
            data["junkChoice"] = Self.junkChoices(chosen.own.junk)
        } else {
            data["junkChoice"] = Self.junkChoices(form?.values["junk"].flatMap(Self.junkValue) ?? nil)
        }
        return page(call, "filters", title: "Filter settings", section: "filters", data, form: form)
    }

    func setFilterSettings(_ call: ConsoleCall) async throws -> Response {
        guard let scope = call.form.text("scope") else {
            throw AdminError.invalid("Enter an account address or @domain.")
        }
        let settings = SpamPreferences(
            junkThreshold: try Self.threshold(call.form["junkThreshold"], name: "junk threshold"),
            rejectThreshold: try Self.threshold(call.form["rejectThreshold"], name: "reject threshold"),
            junk: Self.junkValue(call.form["junk"] ?? "") ?? nil)
        let saved = try await console.setFilterSettings(as: call.principal, scope: scope, settings)
        return done(
            "/admin/filters",
            saved.own.isEmpty ? "\(saved.scope) now inherits every spam setting." : "Spam settings of \(saved.scope) saved.")
    }

    func deleteFilterSettings(_ call: ConsoleCall) async throws -> Response {
        guard let scope = call.form.text("scope") else { throw AdminError.notFound("spam settings") }
        try await console.deleteFilterSettings(as: call.principal, scope: scope)
        return done("/admin/filters", "Spam settings of \(scope.lowercased()) deleted: it inherits again.")
    }

    // MARK: Shared with the self-service page

    /// A threshold as typed: empty inherits; else a number (`,` as decimal mark accepted).
    static func threshold(_ text: String?, name: String) throws -> Double? {
        let text = (text ?? "").trimmingWhitespace().replacingOccurrences(of: ",", with: ".")
        guard !text.isEmpty else { return nil }
        guard text.count <= 20, let value = Double(text), value.isFinite else {
            throw AdminError.invalid("The \(name) must be a number, or empty to inherit.")
        }
        return value
    }

    /// The Junk switch as chosen: `on`, `off`, or `inherit` (nil inside).
    static func junkValue(_ text: String) -> Bool?? {
        switch text {
        case "on": return .some(true)
        case "off": return .some(false)
        case "", "inherit": return .some(nil)
        default: return nil
        }
    }

    static func junkChoices(_ current: Bool?) -> [[String: Any]] {
        [
            ("inherit", "Inherit", current == nil), ("on", "Into Junk", current == true),
            ("off", "Into the inbox, flagged", current == false),
        ].map {
            ["value": $0.0, "label": $0.1, "selected": $0.2]
        }
    }

    /// A score as people write it: `5`, `6.5`.
    static func score(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }

    /// Each setting's own value, or what it inherits (shown muted).
    static func spamColumns(_ own: SpamPreferences, inherited: SpamPreferences) -> [String: Any] {
        func threshold(_ own: Double?, _ inherited: Double?, none: String) -> [String: Any] {
            if let own { return ["value": score(own), "own": true] }
            return ["value": inherited.map(score) ?? none, "own": false]
        }
        func junk(_ value: Bool) -> String { value ? "into Junk" : "inbox, flagged" }
        return [
            "junkThreshold": threshold(own.junkThreshold, inherited.junkThreshold, none: "scanner's own"),
            "rejectThreshold": threshold(own.rejectThreshold, inherited.rejectThreshold, none: "never"),
            "junk": own.junk.map { ["value": junk($0), "own": true] }
                ?? ["value": inherited.junk.map(junk) ?? junk(true), "own": false],
        ]
    }
}
