import Admin
import Hummingbird
import Logging

/// The console's request handling shared by every page: the session check, the POST checks
/// (size, type, CSRF), the mapping of `AdminConsole` errors to pages, and the page frame
/// (navigation for the principal's role, flash message, CSRF token for forms).
struct ConsolePages: Sendable {
    let console: AdminConsole
    let templates: ConsoleTemplates
    /// The site's mail servers as clients are told (the self-service profile download); nil: none.
    let autoconfig: AutoconfigSite?
    let logger: Logger

    /// A form re-shown after a refused POST, built by the page that owns the form.
    typealias Reshow = @Sendable (ConsoleCall, FormState) async throws -> Response
    typealias Handler = @Sendable (ConsoleCall) async throws -> Response

    // MARK: The checks every request passes

    /// Runs `handler` for a request with a live session; without one, redirects to the login page.
    /// For a POST (`reshow` set) the body must be a form within the size limit carrying the
    /// session's CSRF token, else 415/413/403. `AccessDenied` becomes the 403 page,
    /// `AdminError.notFound` the 404 page, `.invalid` and `.conflict` the form re-shown with why.
    func run(
        _ request: Request, _ context: WebRequestContext, reshow: Reshow? = nil, uploads: Bool = false, _ handler: Handler
    ) async throws -> Response {
        guard let token = request.cookies[ConsoleHTTP.sessionCookie]?.value, !token.isEmpty,
            let session = try await console.session(token: token, clientIP: context.clientIP)
        else {
            var response = ConsoleHTTP.redirect("/admin/login")
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.sessionCookie, "", maxAge: 0))
            return response
        }
        var form = FormData(urlEncoded: "")
        if reshow != nil {
            guard let body = try await Self.formBody(request, uploads: uploads) else {
                return error(
                    status: .unsupportedMediaType, title: "Unsupported form",
                    message: "Forms must be sent as application/x-www-form-urlencoded.")
            }
            form = body
            // CSRF: the token of this session, compared in constant time.
            guard CSRF.matches(form[CSRF.field], session.csrf) else {
                return error(
                    status: .forbidden, title: "Form expired",
                    message: "This form was not sent from a current console page. Go back, reload the page and try again.")
            }
        }
        let flashValue = request.cookies[ConsoleHTTP.flashCookie]?.value
        let call = ConsoleCall(
            request: request, clientIP: context.clientIP, session: session,
            query: FormData(urlEncoded: request.uri.query ?? ""), form: form,
            flash: flashValue.flatMap(Flash.init(cookieValue:)))
        var response: Response
        do {
            response = try await handler(call)
        } catch let denied as AccessDenied {
            await console.recordDenied(call.session.principal, denied)
            response = errorPage(
                call, status: .forbidden, title: "Not allowed", message: "Your role does not allow this page or action.")
        } catch let error as AdminError {
            switch error {
            case .notFound(let what):
                response = errorPage(call, status: .notFound, title: "Not found", message: "There is no \(what).")
            case .invalid(let why):
                if let reshow {
                    response = try await reshow(call, FormState(error: why, form: form))
                    response.status = .unprocessableContent
                } else {
                    // A page's own parameters (a stale cursor, a filter it cannot use).
                    response = errorPage(call, status: .badRequest, title: "Cannot show this", message: why)
                }
            case .conflict(let why):
                if let reshow {
                    response = try await reshow(call, FormState(error: why, form: form))
                    response.status = .conflict
                } else {
                    response = errorPage(call, status: .conflict, title: "Cannot show this", message: why)
                }
            }
        }
        if flashValue != nil && response.status != .seeOther {
            // Shown on this page: gone on the next.
            ConsoleHTTP.setCookie(&response, ConsoleHTTP.cookie(ConsoleHTTP.flashCookie, "", maxAge: 0))
        }
        return response
    }

    /// The body of a form POST: nil unless `application/x-www-form-urlencoded`; larger than
    /// `ConsoleHTTP.maxFormBytes` throws 413.
    /// With `uploads`, a `multipart/form-data` body within `ConsoleUpload.maxBodyBytes` is a form
    /// too (its files in `FormData.files`); a malformed one is a 400.
    static func formBody(_ request: Request, uploads: Bool = false) async throws -> FormData? {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        if uploads, let boundary = ConsoleUpload.boundary(of: request.headers[.contentType] ?? "") {
            var request = request
            let buffer = try await request.collectBody(upTo: ConsoleUpload.maxBodyBytes)
            do {
                return try ConsoleUpload.form(buffer, boundary: boundary)
            } catch {
                throw HTTPError(.badRequest, message: "The form could not be read.")
            }
        }
        guard type.hasPrefix("application/x-www-form-urlencoded") else { return nil }
        var request = request
        let buffer = try await request.collectBody(upTo: ConsoleHTTP.maxFormBytes)
        return FormData(urlEncoded: String(buffer: buffer))
    }

    // MARK: Responses

    /// The ids a bulk form ticked (`id` repeated), trimmed, once each, sorted.
    static func tickedIDs(_ call: ConsoleCall) -> [String] {
        Array(Set(call.form.all("id").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty })).sorted()
    }

    /// A redirect after a bulk action some of whose items failed: `failed` (id → why) in an error
    /// flash on the next page.
    func partlyFailed(_ location: String, _ verb: String, failed: [String: String], of count: Int) -> Response {
        let why = failed.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        var response = ConsoleHTTP.redirect(location)
        ConsoleHTTP.setCookie(
            &response,
            ConsoleHTTP.cookie(
                ConsoleHTTP.flashCookie, Flash(.error, "\(verb) failed for \(failed.count) of \(count): \(why)").cookieValue))
        return response
    }

    /// A redirect after a successful POST, with a flash message for the next page.
    func done(_ location: String, _ message: String) -> Response {
        var response = ConsoleHTTP.redirect(location)
        ConsoleHTTP.setCookie(
            &response, ConsoleHTTP.cookie(ConsoleHTTP.flashCookie, Flash(.success, message).cookieValue))
        return response
    }

    /// A page in the console's frame: `data` plus `title`, navigation, the user, the flash, the
    /// CSRF token, and a re-shown form's error and values.
    func page(
        _ call: ConsoleCall, _ template: String, title: String, section: String, _ data: [String: Any],
        form: FormState? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        var context = data
        context["title"] = title
        context["csrf"] = call.session.csrf
        context["nav"] = Navigation.items(for: call.principal, current: section)
        context["me"] = Navigation.who(call.principal)
        if let flash = call.flash { context["flash"] = ["text": flash.text, "error": flash.kind == .error] }
        if let form {
            context["formError"] = form.error
            context["values"] = form.values
        }
        guard let html = templates.render(template, context) else {
            // A template missing from `ConsoleTemplates.sources`: a bug, never an empty 200.
            logger.critical("console template missing", metadata: ["template": "\(template)"])
            return error(status: .internalServerError, title: "Server error", message: "This page cannot be shown.")
        }
        return ConsoleHTTP.html(html, status: status)
    }

    /// An error page inside the console's frame (403, 404).
    func errorPage(_ call: ConsoleCall, status: HTTPResponse.Status, title: String, message: String) -> Response {
        page(call, "error", title: title, section: "", ["code": status.code, "message": message], status: status)
    }

    /// An error page without navigation (no session, or a request refused before it had one).
    func error(status: HTTPResponse.Status, title: String, message: String) -> Response {
        let html = templates.render("error", ["title": title, "code": status.code, "message": message, "bare": true])
        return ConsoleHTTP.html(html ?? "\(status.code) \(title)", status: status)
    }
}
