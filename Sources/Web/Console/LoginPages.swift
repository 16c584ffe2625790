import Admin
import Hummingbird

/// The login page (password, then a TOTP code when the administrator has one, RFC 6238) and
/// logout. The login form has no session yet, so its CSRF token is double-submitted: a random
/// value in a cookie and the same in the form.
extension ConsolePages {
    func loginForm(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        if let token = request.cookies[ConsoleHTTP.sessionCookie]?.value, !token.isEmpty,
            let session = try await console.session(token: token, clientIP: context.clientIP)
        {
            return ConsoleHTTP.redirect(Self.home(session.principal))
        }
        return loginPage(login: "", needsCode: false, message: nil, status: .ok)
    }

    func logIn(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        guard let form = try await Self.formBody(request) else {
            return error(
                status: .unsupportedMediaType, title: "Unsupported form",
                message: "Forms must be sent as application/x-www-form-urlencoded.")
        }
        let cookieToken = request.cookies[ConsoleHTTP.loginCSRFCookie]?.value ?? ""
        guard CSRF.matches(form[CSRF.field], cookieToken) else {
            return error(
                status: .forbidden, title: "Form expired",
                message: "The login form was not sent from a current login page. Reload the page and try again.")
        }
        let login = (form["login"] ?? "").trimmingWhitespace()
        let password = form["password"] ?? ""
        let code = form.text("totp")
        guard !login.isEmpty, !password.isEmpty, login.utf8.count <= 320, password.utf8.count <= 1024 else {
            return loginPage(
                login: login, needsCode: false, message: "Enter your login and password.", status: .unprocessableContent)
        }
        switch await console.logIn(login: login, password: password, totp: code, clientIP: context.clientIP) {
        case .success(let session):
            var response = ConsoleHTTP.redirect(Self.home(session.principal))
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.sessionCookie, session.token))
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.loginCSRFCookie, "", maxAge: 0))
            return response
        case .needsSecondFactor:
            return loginPage(
                login: login, needsCode: true,
                message: code == nil ? nil : "That code is not right. Enter the current code from your authenticator app.",
                status: code == nil ? .ok : .unprocessableContent)
        case .invalidCredentials:
            return loginPage(
                login: login, needsCode: code != nil, message: "The login or the password is not right.", status: .ok)
        case .throttled:
            return loginPage(
                login: login, needsCode: false,
                message: "Too many failed logins from here or for this login. Wait a few minutes, then try again.",
                status: .tooManyRequests)
        case .unavailable:
            return loginPage(
                login: login, needsCode: false, message: "Logging in is not possible right now. Try again in a moment.",
                status: .serviceUnavailable)
        }
    }

    func logOut(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        let back: Reshow = { call, _ in ConsoleHTTP.redirect(Self.home(call.principal)) }
        return try await run(request, context, reshow: back) { call in
            try await console.logOut(token: call.session.token)
            var response = ConsoleHTTP.redirect("/admin/login")
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.sessionCookie, "", maxAge: 0))
            return response
        }
    }

    /// Where a principal lands after logging in: the dashboard, or a mail user's own page.
    static func home(_ principal: Principal) -> String {
        Navigation.isUser(principal) ? "/admin/me" : "/admin"
    }

    private func loginPage(login: String, needsCode: Bool, message: String?, status: HTTPResponse.Status) -> Response {
        let token = ConsoleHTTP.randomToken()
        var context: [String: Any] = [
            "title": "Log in", "login": login, "hasLogin": !login.isEmpty, "needsCode": needsCode, "csrf": token,
        ]
        if let message { context["message"] = message }
        var response = ConsoleHTTP.html(templates.render("login", context) ?? "", status: status)
        ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.loginCSRFCookie, token))
        return response
    }
}
