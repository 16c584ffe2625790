import Admin
import Hummingbird

/// The webmail's login page: the console's login (one session system, one throttle, the login
/// log's protocol `web`) with a mail address, landing in the inbox.
extension MailPages {
    func loginForm(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        if let token = request.cookies[ConsoleHTTP.sessionCookie]?.value, !token.isEmpty,
            let session = try await console.session(token: token, clientIP: context.clientIP),
            case .user = session.principal.identity
        {
            return ConsoleHTTP.redirect("/mail")
        }
        return loginPage(login: "", message: nil, status: .ok)
    }

    func logIn(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        guard let form = try await ConsolePages.formBody(request) else {
            return bareError(status: .unsupportedMediaType, title: "Unsupported form", message: "The form could not be read.")
        }
        guard CSRF.matches(form[CSRF.field], request.cookies[ConsoleHTTP.loginCSRFCookie]?.value ?? "") else {
            return bareError(
                status: .forbidden, title: "Form expired",
                message: "The login form was not sent from a current login page. Reload the page and try again.")
        }
        let login = (form["login"] ?? "").trimmingWhitespace()
        let password = form["password"] ?? ""
        guard !login.isEmpty, !password.isEmpty else {
            return loginPage(login: login, message: "Enter your mail address and password.", status: .unprocessableContent)
        }
        switch await console.logIn(login: login, password: password, totp: nil, clientIP: context.clientIP) {
        case .success(let session):
            guard case .user = session.principal.identity else {
                try? await console.logOut(token: session.token)
                return loginPage(
                    login: login, message: "This is an administrator login: use the admin console.", status: .ok)
            }
            var response = ConsoleHTTP.redirect("/mail")
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.sessionCookie, session.token))
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.loginCSRFCookie, "", maxAge: 0))
            return response
        case .needsSecondFactor:
            return loginPage(login: login, message: "This is an administrator login: use the admin console.", status: .ok)
        case .invalidCredentials:
            return loginPage(login: login, message: "The address or the password is not right.", status: .ok)
        case .throttled:
            return loginPage(
                login: login,
                message: "Too many failed logins from here or for this address. Wait a few minutes, then try again.",
                status: .tooManyRequests)
        case .unavailable:
            return loginPage(
                login: login, message: "Logging in is not possible right now. Try again in a moment.", status: .serviceUnavailable
            )
        }
    }

    func logOut(_ request: Request, _ context: WebRequestContext) async throws -> Response {
        try await run(request, context, post: true) { call in
            try await console.logOut(token: call.session.token)
            var response = ConsoleHTTP.redirect("/mail/login")
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.sessionCookie, "", maxAge: 0))
            return response
        }
    }

    private func loginPage(login: String, message: String?, status: HTTPResponse.Status) -> Response {
        let token = ConsoleHTTP.randomToken()
        var context: [String: Any] = ["title": "Log in", "login": login, "csrf": token, "bare": true]
        if let message { context["message"] = message }
        var response = ConsoleHTTP.html(templates.render("mail_login", context) ?? "", status: status)
        ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.loginCSRFCookie, token))
        return response
    }
}
