import Admin
import Core
import Foundation
import Hummingbird

/// `/admin/me`: a mail user's own account: quota usage, recent logins (IP, protocol, time: a
/// stranger in that list is a reason to change the password), password change, forwarding, spam
/// settings (`SelfServiceSpamPages.swift`).
extension ConsolePages {
    func me(_ call: ConsoleCall, form: FormState? = nil) async throws -> Response {
        guard Navigation.isUser(call.principal) else { return ConsoleHTTP.redirect("/admin") }
        let own = try await console.ownAccount(as: call.principal)
        let logins = try await console.ownLogins(as: call.principal, limit: 20)
        var data = Self.accountRow(own.account)
        data["logins"] = logins.map(Self.loginRow)
        data["noLogins"] = logins.isEmpty
        data["forwards"] = own.forwarding
        data["noForwards"] = own.forwarding.isEmpty
        data["forwardList"] = own.forwarding.joined(separator: "\n")
        data["keepsCopy"] = own.keepsCopy
        data.merge(try await ownSpamData(call, form: form)) { a, _ in a }
        data["profile"] = autoconfig.map { !$0.incomingServers.isEmpty && !$0.outgoingServers.isEmpty } ?? false
        return page(call, "me", title: "My account", section: "me", data, form: form)
    }

    /// The user's account as an Apple configuration profile (iPhone, iPad, Mac Mail): servers,
    /// ports, TLS and the address, never the password (the device asks for it).
    func mobileConfigProfile(_ call: ConsoleCall) async throws -> Response {
        guard Navigation.isUser(call.principal) else { return ConsoleHTTP.redirect("/admin") }
        let own = try await console.ownAccount(as: call.principal)
        guard let autoconfig, let address = try? MailAddress(parsing: own.account.address),
            let profile = MobileConfigProfile.render(
                address: address, displayName: own.account.displayName.isEmpty ? nil : own.account.displayName,
                site: autoconfig)
        else { throw AdminError.notFound("a mail server setup for this site") }
        var body = Array(profile.utf8)
        if let signer = autoconfig.profileSigner {
            // Unsigned rather than none: the device then says "unverified", and the log says why.
            // One signature (milliseconds), on the request's task.
            do { body = try signer.sign(body, at: Date()) } catch {
                logger.warning("configuration profile served unsigned", metadata: ["error": "\(error)"])
            }
        }
        var response = Response(
            status: .ok, headers: [.contentType: MobileConfigProfile.contentType],
            body: .init(byteBuffer: .init(bytes: body)))
        response.headers[.contentDisposition] = "attachment; filename=\"\(MobileConfigProfile.fileName(for: address))\""
        return response
    }

    func changeOwnPassword(_ call: ConsoleCall) async throws -> Response {
        let current = call.form["current"] ?? ""
        let password = call.form["password"] ?? ""
        guard !current.isEmpty else { throw AdminError.invalid("Enter your current password.") }
        guard !password.isEmpty else { throw AdminError.invalid("Enter the new password.") }
        guard password == call.form["password2"] else { throw AdminError.invalid("The two new passwords differ.") }
        try await console.changeOwnPassword(
            as: call.principal, current: current, new: password, keepingSession: call.session.token)
        return done("/admin/me", "Your password is changed. Mail programs will ask for the new one.")
    }

    /// Sets the forwarding addresses as a whole (none stops forwarding).
    func setForwarding(_ call: ConsoleCall) async throws -> Response {
        let targets = Self.targets(call.form["targets"] ?? "")
        try await console.setForwarding(as: call.principal, targets: targets, keepCopy: call.form["keep"] == "1")
        return done(
            "/admin/me",
            targets.isEmpty
                ? "Your mail is no longer forwarded." : "Your mail is forwarded to \(targets.joined(separator: ", ")).")
    }
}
