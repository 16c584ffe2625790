import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The HTTP pieces every console response shares: security headers, cookies, redirects.
enum ConsoleHTTP {
    /// The session cookie's name; its value is the session token (`AdminConsole.logIn`). Every
    /// console cookie has the `__Host-` prefix (RFC 6265bis §4.1.3.2): the browser keeps it only
    /// when set by this host over a secure origin with `Path=/` and no `Domain`, so a sibling
    /// host or a plain-HTTP page cannot plant or shadow it.
    static let sessionCookie = "__Host-posta_session"
    /// A one-shot message shown on the next page (`Flash`).
    static let flashCookie = "__Host-posta_flash"
    /// The login form's double-submit CSRF token.
    static let loginCSRFCookie = "__Host-posta_login_csrf"
    /// The largest form body accepted (larger: 413).
    static let maxFormBytes = 64 * 1024

    /// The Content-Security-Policy of every console page: only the console's own CSS and JS, no
    /// inline script or style, no framing, forms post only to the console.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; form-action 'self'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    /// Adds the console's security headers (overwriting any already set).
    static func secure(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        // RFC 6797 §6.1: the console is served on HTTPS (or loopback, where browsers ignore it).
        headers[HTTPField.Name("Strict-Transport-Security")!] = "max-age=31536000"
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 303 See Other to `location` (a path on this site), so that reloading the next page does
    /// not repeat the POST (RFC 9110 §15.4.4).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A `Set-Cookie` value: `Path=/; Secure; HttpOnly; SameSite=Strict` always (RFC 6265bis
    /// §4.1.2; `Path=/` and `Secure` are what the `__Host-` prefix requires); `maxAge` 0 deletes it.
    static func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var text = "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Strict"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return text
    }

    static func setCookie(_ response: inout Response, _ value: String) {
        response.headers.append(HTTPField(name: .setCookie, value: value))
    }

    /// A random token for the login form (hex of 32 bytes from the system's CSPRNG).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for _ in 0..<32 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Puts the security headers on every response of a front end (the console under `/admin`, the
/// webmail under `/mail`), including errors thrown by a handler or by Hummingbird: those become the
/// front end's error page, and an unexpected one is logged.
struct PageHeadersMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    /// The error page without navigation: status, title, message.
    let errorPage: @Sendable (HTTPResponse.Status, String, String) -> Response
    /// What a body too large for the route is called on the error page.
    let tooLarge: String
    /// Sets the security headers on a finished response.
    let secure: @Sendable (inout Response) -> Void
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPResponseError {
            let status = error.status
            response = errorPage(
                status, status.reasonPhrase,
                status == .contentTooLarge ? tooLarge : "The request could not be handled.")
        } catch {
            logger.error("web request failed", metadata: ["error": "\(String(reflecting: error))"])
            response = errorPage(
                .internalServerError, "Something went wrong",
                "The server could not complete this request. Try again in a moment.")
        }
        secure(&response)
        return response
    }
}
