import Admin
import Directory
import Hummingbird
import Logging
import Webmail

/// One webmail request after the checks every page shares: a live session of a mail account
/// (the console's sessions: one login for both), and for a POST a form with the session's CSRF token.
struct MailCall: Sendable {
    let request: Request
    let clientIP: String
    let session: ConsoleSession
    let account: Account
    let query: FormData
    let form: FormData
    let flash: Flash?
}

/// The webmail's request handling: session and CSRF checks, errors as pages, the page frame
/// (folder list, account, flash). Handlers translate requests into `Webmail` calls.
struct MailPages: Sendable {
    let console: AdminConsole
    let webmail: Webmail
    let templates: ConsoleTemplates
    let logger: Logger
    /// Sending (nil: this server cannot send from the web; the compose page says so).
    let sender: (any WebmailSending)?
    /// Open event streams (`events`), bounded per account.
    let eventStreams = MailEventStreams()

    typealias Handler = @Sendable (MailCall) async throws -> Response

    /// Runs `handler` for a request of a logged-in mail user; without a session, to the login page;
    /// an administrator's session goes to the console. `post`: the body must be a form (or with
    /// `uploads` a multipart form) carrying the session's CSRF token.
    func run(
        _ request: Request, _ context: WebRequestContext, post: Bool = false, uploads: Bool = false, _ handler: Handler
    ) async throws -> Response {
        guard let token = request.cookies[ConsoleHTTP.sessionCookie]?.value, !token.isEmpty,
            let session = try await console.session(token: token, clientIP: context.clientIP)
        else {
            return ConsoleHTTP.redirect("/mail/login")
        }
        guard case .user(let account) = session.principal.identity else {
            return bareError(
                status: .forbidden, title: "Webmail is for mail accounts",
                message: "You are logged in as an administrator. Log out of the console, then log in with a mail address.")
        }
        var form = FormData(urlEncoded: "")
        if post {
            guard let body = try await uploadForm(request, uploads: uploads) else {
                return bareError(
                    status: .unsupportedMediaType, title: "Unsupported form", message: "This form could not be read.")
            }
            guard CSRF.matches(body[CSRF.field], session.csrf) else {
                return bareError(
                    status: .forbidden, title: "Form expired",
                    message: "This form was not sent from a current webmail page. Go back, reload the page and try again.")
            }
            form = body
        }
        let flashValue = request.cookies[ConsoleHTTP.flashCookie]?.value
        let call = MailCall(
            request: request, clientIP: context.clientIP, session: session, account: account,
            query: FormData(urlEncoded: request.uri.query ?? ""), form: form, flash: flashValue.flatMap(Flash.init(cookieValue:)))
        var response: Response
        do {
            response = try await handler(call)
        } catch let error as WebmailError {
            switch error {
            case .invalid(let why):
                response = post ? back(call, .error, why) : try await errorPage(call, .badRequest, "Cannot do this", why)
            case .noSuchFolder, .noSuchMessage, .noSuchPart:
                response = try await errorPage(call, .notFound, "Not found", error.description)
            }
        }
        if flashValue != nil && response.status != .seeOther {
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.flashCookie, "", maxAge: 0))
        }
        return response
    }

    /// The form body: url-encoded, or multipart when the route takes uploads (`MailUpload`).
    private func uploadForm(_ request: Request, uploads: Bool) async throws -> FormData? {
        if uploads, let boundary = ConsoleUpload.boundary(of: request.headers[.contentType] ?? "") {
            var request = request
            let limit = (sender?.maxMessageBytes ?? ConsoleUpload.maxBodyBytes) * 4 / 3 + 256 * 1024
            let buffer = try await request.collectBody(upTo: limit)
            do {
                return try ConsoleUpload.form(
                    buffer, boundary: boundary, maxParts: MailUpload.maxParts, maxTextBytes: MailUpload.maxTextBytes)
            } catch {
                throw HTTPError(.badRequest, message: "The form could not be read.")
            }
        }
        return try await ConsolePages.formBody(request)
    }

    // MARK: Responses

    /// Back to the page the form came from (its `back` field, a path under /mail), with a flash.
    func back(_ call: MailCall, _ kind: Flash.Kind, _ text: String, to location: String? = nil) -> Response {
        var response = ConsoleHTTP.redirect(location ?? Self.safeBack(call.form["back"]))
        ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.flashCookie, Flash(kind, text).cookieValue))
        return response
    }

    /// A local path under /mail, else the inbox (a form's `back` field cannot send the user elsewhere).
    static func safeBack(_ value: String?) -> String {
        guard let value, value.hasPrefix("/mail"), !value.hasPrefix("//"), !value.contains("\\"),
            !value.unicodeScalars.contains(where: { $0.value < 0x20 }), value.utf8.count <= 2000
        else { return "/mail" }
        return value
    }

    /// A page in the webmail's frame: `data` plus title, folders, account, flash and CSRF token.
    /// `moveFrom`: the folder whose messages the page can move; the others are offered as targets.
    func page(
        _ call: MailCall, _ template: String, title: String, current folder: String?, moveFrom: String? = nil,
        _ data: [String: Any], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var context = data
        context["title"] = title
        context["csrf"] = call.session.csrf
        context["me"] = call.account.displayName.isEmpty ? call.account.address : call.account.displayName
        context["address"] = call.account.address
        let folders = try await webmail.folders(call.account)
        context["folders"] = MailViews.folders(folders, current: folder)
        if let moveFrom {
            context["moveTargets"] = folders.filter { $0.name != moveFrom }.map {
                ["name": $0.name, "label": MailViews.label($0)]
            }
        }
        context["searchLink"] = "/mail/search?folder=" + FormData.encode(folder ?? "INBOX")
        if let flash = call.flash { context["flash"] = ["text": flash.text, "error": flash.kind == .error] }
        guard let html = templates.render(template, context) else {
            logger.critical("webmail template missing", metadata: ["template": "\(template)"])
            return bareError(status: .internalServerError, title: "Server error", message: "This page cannot be shown.")
        }
        return ConsoleHTTP.html(html, status: status)
    }

    func errorPage(_ call: MailCall, _ status: HTTPResponse.Status, _ title: String, _ message: String) async throws -> Response {
        try await page(call, "mail_error", title: title, current: nil, ["code": status.code, "message": message], status: status)
    }

    /// An error page without the frame (no session, or refused before there was one).
    func bareError(status: HTTPResponse.Status, title: String, message: String) -> Response {
        let html = templates.render("mail_error", ["title": title, "code": status.code, "message": message, "bare": true])
        return ConsoleHTTP.html(html ?? "\(status.code) \(title)", status: status)
    }
}
