import Admin
import Hummingbird

/// One console request after the checks every page shares: a live session, and for a POST a
/// form body within `ConsoleHTTP.maxFormBytes` whose CSRF token matches the session's.
struct ConsoleCall: Sendable {
    let request: Request
    let clientIP: String
    let session: ConsoleSession
    /// The query string's fields.
    let query: FormData
    /// The POST body's fields (empty for a GET).
    let form: FormData
    /// The message the previous request left for this page, if any.
    let flash: Flash?

    var principal: Principal { session.principal }
}

/// A one-shot message for the next page, carried in a cookie across the redirect after a POST.
struct Flash: Sendable, Equatable {
    enum Kind: String, Sendable { case success, error }
    var kind: Kind
    var text: String

    /// The cookie value: `kind:` and the percent-encoded text.
    var cookieValue: String { kind.rawValue + ":" + FormData.encode(String(text.prefix(300))) }

    init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    init?(cookieValue: String) {
        guard let colon = cookieValue.firstIndex(of: ":"),
            let kind = Kind(rawValue: String(cookieValue[..<colon]))
        else { return nil }
        self.kind = kind
        // Only `%XX` escapes are written; `+` is not special here.
        self.text = String(
            FormData.decode(cookieValue[cookieValue.index(after: colon)...].replacing("+", with: "%2B")).prefix(500))
    }
}

/// What a POST that failed validation re-shows: the reason and the fields as typed (never the
/// passwords or the CSRF token).
struct FormState: Sendable {
    var error: String
    var values: [String: String]

    init(error: String, form: FormData) {
        self.error = error
        var values: [String: String] = [:]
        for (name, value) in form.fields where !name.contains("password") && name != CSRF.field && values[name] == nil {
            values[name] = value
        }
        self.values = values
    }
}
