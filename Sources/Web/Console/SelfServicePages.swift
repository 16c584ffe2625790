import Admin
import Hummingbird

/// `/admin/me`: a mail user's own account: quota usage, recent logins (IP, protocol, time: a
/// stranger in that list is a reason to change the password), password change, forwarding.
extension ConsolePages {
    func me(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        guard case .user(let account) = call.principal.identity else { return ConsoleHTTP.redirect("/admin") }
        let detail = try await console.account(as: call.principal, address: account.address)
        var data = Self.accountRow(detail.account)
        data["logins"] = detail.recentLogins.map(Self.loginRow)
        data["noLogins"] = detail.recentLogins.isEmpty
        let own = try await console.aliases(as: call.principal, domain: Self.domain(of: account.address))
            .filter { $0.source.lowercased() == account.address.lowercased() }
        let targets = own.flatMap(\.targets)
        data["forwards"] = targets
        data["noForwards"] = targets.isEmpty
        return page(call, "me", title: "My account", section: "me", data, form: form)
    }

    private func ownAddress(_ call: ConsoleCall) throws -> String {
        guard case .user(let account) = call.principal.identity else {
            throw AccessDenied(.viewAccounts, domain: nil)
        }
        return account.address
    }

    func changeOwnPassword(_ call: ConsoleCall) async throws -> Response {
        let address = try ownAddress(call)
        let password = call.form["password"] ?? ""
        guard !password.isEmpty else { throw AdminError.invalid("Enter the new password.") }
        guard password == call.form["password2"] else { throw AdminError.invalid("The two passwords differ.") }
        try await console.setPassword(as: call.principal, address: address, password: password)
        return done("/admin/me", "Your password is changed. Mail programs will ask for the new one.")
    }

    func addForward(_ call: ConsoleCall) async throws -> Response {
        let address = try ownAddress(call)
        let targets = Self.targets(call.form["target"] ?? "")
        guard !targets.isEmpty else { throw AdminError.invalid("Enter the address to forward to.") }
        try await console.addAlias(as: call.principal, source: address, targets: targets)
        return done("/admin/me", "Your mail is now forwarded to \(targets.joined(separator: ", ")).")
    }

    func deleteForward(_ call: ConsoleCall) async throws -> Response {
        let address = try ownAddress(call)
        guard let target = call.form.text("target") else { throw AdminError.notFound("forwarding") }
        try await console.deleteAlias(as: call.principal, source: address, targets: [target])
        return done("/admin/me", "Your mail is no longer forwarded to \(target).")
    }
}
