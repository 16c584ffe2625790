import Admin
import Hummingbird

/// `/admin/security`: an administrator's own second factor (RFC 6238 TOTP): set it up with a
/// code that proves the app has the secret, or turn it off with a current code.
extension ConsolePages {
    func security(_ call: ConsoleCall, form: FormState? = nil, proposal: TOTPProposal? = nil) async throws -> Response {
        guard case .administrator = call.principal.identity else { return ConsoleHTTP.redirect("/admin/me") }
        let enabled = try await console.ownTOTPEnabled(as: call.principal)
        var data: [String: Any] = ["enabled": enabled]
        // A refused confirmation shows the same secret again (it was never stored).
        var shown = proposal
        if shown == nil, !enabled, let secret = form?.values["secret"] {
            shown = try? await console.proposeTOTP(as: call.principal, secret: secret)
        }
        if let shown { data["proposal"] = ["secret": shown.secret, "uri": shown.uri] }
        return page(call, "security", title: "My security", section: "security", data, form: form)
    }

    func startTOTP(_ call: ConsoleCall) async throws -> Response {
        try await security(call, proposal: try await console.proposeTOTP(as: call.principal))
    }

    func confirmTOTP(_ call: ConsoleCall) async throws -> Response {
        try await console.confirmTOTP(as: call.principal, secret: call.form["secret"] ?? "", code: call.form["code"] ?? "")
        return done("/admin/security", "The second factor is on: your next login asks for a code.")
    }

    func turnOffTOTP(_ call: ConsoleCall) async throws -> Response {
        try await console.turnOffOwnTOTP(as: call.principal, code: call.form["code"] ?? "")
        return done("/admin/security", "The second factor is off.")
    }
}
