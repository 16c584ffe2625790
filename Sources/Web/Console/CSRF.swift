/// The console's defence against cross-site request forgery: every form carries the session's
/// CSRF token in a hidden `csrf` field and every POST is refused (403) unless it matches
/// (besides the `SameSite=Strict` session cookie). The login form, which has no session yet,
/// uses the double-submit pattern: the same random token in a cookie and in the form.
public enum CSRF {
    /// The form field holding the token.
    public static let field = "csrf"

    /// Whether `given` equals `expected`, in time independent of where they differ (a timing side
    /// channel must not reveal the token byte by byte). An empty expected token matches nothing.
    public static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given, !expected.isEmpty else { return false }
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<b.count {
            difference |= b[i] ^ (i < a.count ? a[i] : ~b[i])
        }
        return difference == 0
    }
}
