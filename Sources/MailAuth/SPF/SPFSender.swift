/// The <sender> argument of check_host() split into the parts the macros use (RFC 7208 §4.1,
/// §7.3 `s`, `l`, `o`).
struct SPFSender: Hashable, Sendable {
    var localPart: String
    var domain: String

    /// Splits at the last `@`. §4.3: "If the <sender> has no local-part, substitute the string
    /// "postmaster" for the local-part"; a sender without `@` is taken as a bare domain.
    init(_ sender: String) {
        if let at = sender.lastIndex(of: "@") {
            localPart = String(sender[..<at])
            domain = String(sender[sender.index(after: at)...])
        } else {
            localPart = ""
            domain = sender
        }
        if localPart.isEmpty { localPart = "postmaster" }
    }

    var address: String { localPart + "@" + domain }
}
