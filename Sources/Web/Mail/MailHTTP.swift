import HTTPTypes
import Hummingbird
import MIME

/// The HTTP pieces of the webmail's responses. Pages get the console's headers with one change:
/// the reading page may frame the sanitised message (`frame-src 'self'`). The message frame has
/// its own, stricter policy (`frame`).
enum MailHTTP {
    /// Every webmail page: only Posta's own CSS, JS, images and frames; no inline script or style.
    static let pagePolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-src 'self'; "
        + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// The sanitised message in its frame: no script at all (and the frame is sandboxed without
    /// `allow-scripts`), inline styles (mail is styled inline), `data:` images (the message's own
    /// `cid:` parts are inlined so), and remote images only when the user asked for them. Framed by
    /// Posta pages only.
    static func framePolicy(remote: Bool) -> String {
        let images = remote ? "data: https: http:" : "data:"
        let styles = remote ? "'unsafe-inline' https: http:" : "'unsafe-inline'"
        return "default-src 'none'; img-src \(images); style-src \(styles); font-src 'none'; form-action 'none'; "
            + "frame-ancestors 'self'; base-uri 'none'; sandbox allow-popups allow-popups-to-escape-sandbox"
    }

    static func secure(_ headers: inout HTTPFields, policy: String = pagePolicy, framing: String = "DENY") {
        ConsoleHTTP.secure(&headers)
        headers[.contentSecurityPolicy] = policy
        headers[HTTPField.Name("X-Frame-Options")!] = framing
    }

    /// The headers of a webmail response: a response that set its own policy (the message frame,
    /// downloads) keeps it and may be framed by Posta's pages; every other gets the page policy.
    static func secure(_ response: inout Response) {
        if let own = response.headers[.contentSecurityPolicy] {
            secure(&response.headers, policy: own, framing: "SAMEORIGIN")
        } else {
            secure(&response.headers)
        }
    }

    /// `Content-Disposition: attachment` with the file name twice: a plain ASCII fallback and the
    /// exact name in UTF-8 (RFC 6266 §4.3, RFC 8187 / RFC 5987 `filename*`).
    static func attachmentDisposition(_ filename: String) -> String {
        let ascii = ExtendedValue.asciiFallback(filename, extraUnsafe: ["/"])
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(ExtendedValue.percentEncoded(filename))"
    }
}
