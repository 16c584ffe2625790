import Admin
import Hummingbird

/// `/admin/domains`: the domains with their account and alias counts; add and delete.
extension ConsolePages {
    func domains(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let domains = try await console.domains(as: call.principal)
        let rows: [[String: Any]] = domains.map {
            [
                "name": $0.name, "accounts": $0.accounts, "aliases": $0.aliases, "created": Format.time($0.createdAt),
                "accountsLink": "/admin/accounts?domain=" + FormData.encode($0.name),
                "aliasesLink": "/admin/aliases?domain=" + FormData.encode($0.name),
            ]
        }
        return page(
            call, "domains", title: "Domains", section: "domains",
            ["domains": rows, "empty": rows.isEmpty, "mayManage": call.principal.may(.manageDomains)], form: form)
    }

    func addDomain(_ call: ConsoleCall) async throws -> Response {
        guard let name = call.form.text("name") else { throw AdminError.invalid("Enter a domain name.") }
        let domain = try await console.addDomain(as: call.principal, name: name)
        return done("/admin/domains", "Domain \(domain.name) added.")
    }

    func deleteDomain(_ call: ConsoleCall) async throws -> Response {
        guard let name = call.form.text("name") else { throw AdminError.invalid("No domain given.") }
        try await console.deleteDomain(as: call.principal, name: name)
        return done("/admin/domains", "Domain \(name) deleted.")
    }
}
