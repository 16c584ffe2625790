import Admin
import Directory
import Hummingbird

/// `/admin/aliases`: aliases (and catch-alls, source `@domain`) by domain; add with targets,
/// delete.
extension ConsolePages {
    func aliases(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let domain = call.query.text("domain")
        let aliases = try await console.aliases(as: call.principal, domain: domain)
        let domains = (try? await console.domains(as: call.principal).map(\.name)) ?? []
        let rows: [[String: Any]] = aliases.map { alias in
            [
                "source": alias.source, "catchAll": alias.source.hasPrefix("@"), "targets": alias.targets,
                "targetList": alias.targets.joined(separator: "\n"),
            ]
        }
        let data: [String: Any] = [
            "aliases": rows, "empty": rows.isEmpty, "domain": domain ?? "",
            "domains": domains.map { ["name": $0, "selected": $0 == domain] },
        ]
        return page(call, "aliases", title: "Aliases", section: "aliases", data, form: form)
    }

    /// Targets as typed: one per line, or separated by commas or spaces.
    static func targets(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0.isNewline }).map(String.init)
    }

    func addAlias(_ call: ConsoleCall) async throws -> Response {
        guard let source = call.form.text("source") else {
            throw AdminError.invalid("Enter the alias address (or @domain for a catch-all).")
        }
        let targets = Self.targets(call.form["targets"] ?? "")
        guard !targets.isEmpty else { throw AdminError.invalid("Enter at least one target address.") }
        try await console.addAlias(as: call.principal, source: source, targets: targets)
        return done(Self.aliasesLink(source), "Alias \(source) now delivers to \(targets.joined(separator: ", ")).")
    }

    func deleteAlias(_ call: ConsoleCall) async throws -> Response {
        guard let source = call.form.text("source") else { throw AdminError.notFound("alias") }
        let targets = call.form.all("target").filter { !$0.isEmpty }
        try await console.deleteAlias(as: call.principal, source: source, targets: targets)
        return done(Self.aliasesLink(source), "Alias \(source) deleted.")
    }

    static func aliasesLink(_ source: String) -> String {
        "/admin/aliases?domain=" + FormData.encode(domain(of: source))
    }
}
