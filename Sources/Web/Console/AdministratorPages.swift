import Admin
import Hummingbird

/// `/admin/admins` (superadmin): administrators with their roles and domains; add, delete,
/// change role.
extension ConsolePages {
    func administrators(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let admins = try await console.administrators(as: call.principal)
        let selfLogin: String? =
            if case .administrator(let me) = call.principal.identity { me.login } else { nil }
        let rows: [[String: Any]] = admins.map { admin in
            [
                "login": admin.login, "name": admin.displayName, "role": Navigation.roleLabel(admin.role),
                "domains": admin.domains.isEmpty ? "all domains" : admin.domains.joined(separator: ", "),
                "domainList": admin.domains.joined(separator: " "), "totp": admin.totpEnabled, "enabled": admin.enabled,
                "lastLogin": Format.time(admin.lastLoginAt), "isSelf": admin.login == selfLogin,
                "roles": Self.roleOptions(selected: admin.role),
            ]
        }
        let chosen = form?.values["role"].flatMap(AdminRole.init(rawValue:)) ?? .helpdesk
        let data: [String: Any] = ["admins": rows, "empty": rows.isEmpty, "roles": Self.roleOptions(selected: chosen)]
        return page(call, "admins", title: "Administrators", section: "admins", data, form: form)
    }

    static func roleOptions(selected: AdminRole) -> [[String: Any]] {
        AdminRole.allCases.map { ["value": $0.rawValue, "label": Navigation.roleLabel($0), "selected": $0 == selected] }
    }

    static func domainList(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" }).map {
            $0.lowercased()
        }
    }

    func addAdministrator(_ call: ConsoleCall) async throws -> Response {
        guard let login = call.form.text("login") else { throw AdminError.invalid("Enter a login name.") }
        guard let role = call.form.text("role").flatMap(AdminRole.init(rawValue:)) else {
            throw AdminError.invalid("Choose a role.")
        }
        let password = call.form["password"] ?? ""
        guard !password.isEmpty else { throw AdminError.invalid("Enter a password for the new administrator.") }
        let admin = try await console.addAdministrator(
            as: call.principal, login: login, password: password, role: role, domains: Self.domainList(call.form["domains"]),
            displayName: call.form.text("name") ?? "")
        return done("/admin/admins", "Administrator \(admin.login) added as \(Navigation.roleLabel(admin.role)).")
    }

    func deleteAdministrator(_ call: ConsoleCall) async throws -> Response {
        guard let login = call.form.text("login") else { throw AdminError.notFound("administrator") }
        try await console.deleteAdministrator(as: call.principal, login: login)
        return done("/admin/admins", "Administrator \(login) deleted.")
    }

    func setAdministratorRole(_ call: ConsoleCall) async throws -> Response {
        guard let login = call.form.text("login") else { throw AdminError.notFound("administrator") }
        guard let role = call.form.text("role").flatMap(AdminRole.init(rawValue:)) else {
            throw AdminError.invalid("Choose a role.")
        }
        try await console.setAdministratorRole(
            as: call.principal, login: login, role: role, domains: Self.domainList(call.form["domains"]))
        return done("/admin/admins", "\(login) is now \(Navigation.roleLabel(role)).")
    }
}
