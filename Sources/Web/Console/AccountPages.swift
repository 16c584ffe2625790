import Admin
import Directory
import Hummingbird

/// `/admin/accounts`: search, cursor paging, quota usage, creation; `/admin/account?address=`:
/// one account with enable/disable, password reset, quota, display name, recent logins and the
/// login throttle.
extension ConsolePages {
    static let pageSize = 50

    func accounts(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        let search = call.query.text("q")
        let domain = call.query.text("domain")
        let page = try await console.accounts(
            as: call.principal,
            AccountQuery(search: search, domain: domain, cursor: call.query.text("cursor"), limit: Self.pageSize))
        let rows = page.items.map(Self.accountRow)
        var data: [String: Any] = [
            "accounts": rows, "empty": rows.isEmpty, "q": search ?? "", "domain": domain ?? "",
            "canCreate": call.principal.may(.createAccounts), "filtered": search != nil || domain != nil,
        ]
        if let next = page.next {
            var link = "/admin/accounts?cursor=" + FormData.encode(next)
            if let search { link += "&q=" + FormData.encode(search) }
            if let domain { link += "&domain=" + FormData.encode(domain) }
            data["next"] = link
        }
        if call.query.text("cursor") != nil { data["first"] = true }
        return self.page(call, "accounts", title: "Accounts", section: "accounts", data, form: form)
    }

    static func accountRow(_ account: AccountSummary) -> [String: Any] {
        var row: [String: Any] = [
            "address": account.address, "link": "/admin/account?address=" + FormData.encode(account.address),
            "name": account.displayName, "enabled": account.enabled, "used": Format.bytes(account.usedBytes),
            "quota": account.quotaBytes > 0 ? Format.bytes(account.quotaBytes) : "unlimited",
            "lastLogin": Format.time(account.lastLoginAt),
        ]
        if let percent = Format.percent(used: account.usedBytes, of: account.quotaBytes) {
            row["percent"] = percent
            row["level"] = percent >= 90 ? "high" : percent >= 70 ? "mid" : "low"
        }
        return row
    }

    func createAccount(_ call: ConsoleCall) async throws -> Response {
        guard let address = call.form.text("address") else { throw AdminError.invalid("Enter the new account's address.") }
        let password = call.form["password"] ?? ""
        guard !password.isEmpty else { throw AdminError.invalid("Enter a password for the new account.") }
        guard let quota = Format.parseSize(call.form["quota"] ?? "") else {
            throw AdminError.invalid("The quota is a size such as 2G, 500M or 0 for unlimited.")
        }
        let account = try await console.createAccount(
            as: call.principal, address: address, password: password, displayName: call.form.text("name") ?? "",
            quotaBytes: quota)
        return done("/admin/account?address=" + FormData.encode(account.address), "Account \(account.address) created.")
    }

    func account(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        guard let address = call.query.text("address") ?? call.form.text("address") else {
            throw AdminError.notFound("account")
        }
        let detail = try await console.account(as: call.principal, address: address)
        var data = Self.accountRow(detail.account)
        data["throttled"] = detail.throttled
        data["quotaInput"] = Format.sizeInput(detail.account.quotaBytes)
        data["logins"] = detail.recentLogins.map(Self.loginRow)
        data["noLogins"] = detail.recentLogins.isEmpty
        let domain = Self.domain(of: detail.account.address)
        let p = call.principal
        data["mayEnable"] = p.may(.enableAccounts, in: domain)
        data["mayReset"] = p.may(.resetPasswords, in: domain)
        data["mayQuota"] = p.may(.setQuotas, in: domain)
        data["mayLift"] = p.may(.liftThrottle, in: domain)
        data["mayDelete"] = p.may(.deleteAccounts, in: domain)
        data["mayLog"] = p.may(.viewLoginLog, in: domain)
        data["logLink"] = "/admin/logins?login=" + FormData.encode(detail.account.address)
        data["deletedLink"] = "/admin/account/deleted?address=" + FormData.encode(detail.account.address)
        return page(call, "account", title: detail.account.address, section: "accounts", data, form: form)
    }

    static func loginRow(_ event: LoginEvent) -> [String: Any] {
        [
            "login": event.login, "ip": event.ip, "protocol": event.protocolName, "success": event.success,
            "reason": event.reason ?? "", "time": Format.time(event.createdAt),
        ]
    }

    static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...].lowercased()
    }

    /// The account a form acts on, and where to go back to.
    private func target(_ call: ConsoleCall) throws -> (String, String) {
        guard let address = call.form.text("address") else { throw AdminError.notFound("account") }
        return (address, "/admin/account?address=" + FormData.encode(address))
    }

    func setAccountEnabled(_ call: ConsoleCall) async throws -> Response {
        let (address, back) = try target(call)
        let enable = call.form["enabled"] == "true"
        try await console.setEnabled(as: call.principal, address: address, enabled: enable)
        return done(back, enable ? "\(address) can log in again." : "\(address) is disabled: it cannot log in or send.")
    }

    func resetAccountPassword(_ call: ConsoleCall) async throws -> Response {
        let (address, back) = try target(call)
        let password = call.form["password"] ?? ""
        guard !password.isEmpty else { throw AdminError.invalid("Enter the new password.") }
        guard password == call.form["password2"] else { throw AdminError.invalid("The two passwords differ.") }
        try await console.setPassword(as: call.principal, address: address, password: password)
        return done(back, "The password of \(address) is changed; its sessions were ended.")
    }

    func setAccountQuota(_ call: ConsoleCall) async throws -> Response {
        let (address, back) = try target(call)
        guard let bytes = Format.parseSize(call.form["quota"] ?? "") else {
            throw AdminError.invalid("The quota is a size such as 2G, 500M or 0 for unlimited.")
        }
        try await console.setQuota(as: call.principal, address: address, bytes: bytes)
        return done(back, "The quota of \(address) is now \(bytes > 0 ? Format.bytes(bytes) : "unlimited").")
    }

    func setAccountName(_ call: ConsoleCall) async throws -> Response {
        let (address, back) = try target(call)
        let name = call.form["name"]?.trimmingWhitespace() ?? ""
        try await console.setDisplayName(as: call.principal, address: address, displayName: name)
        return done(back, "The display name of \(address) is changed.")
    }

    func liftAccountThrottle(_ call: ConsoleCall) async throws -> Response {
        let (address, back) = try target(call)
        try await console.liftThrottle(as: call.principal, login: address)
        return done(back, "Failed logins of \(address) are forgiven: it can log in again.")
    }

    func deleteAccount(_ call: ConsoleCall) async throws -> Response {
        let (address, _) = try target(call)
        try await console.deleteAccount(as: call.principal, address: address)
        return done("/admin/accounts", "Account \(address) deleted.")
    }
}
