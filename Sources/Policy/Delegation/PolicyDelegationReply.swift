import Foundation

/// Encodes the answer to one delegation request: `action=...` then an empty line.
public enum PolicyDelegationReply {
    /// The reply for `verdict`. Postfix takes one action per reply, so header fields go out as
    /// `PREPEND` (the first one) only when nothing else was decided.
    public static func encode(_ verdict: PolicyVerdict) -> [UInt8] {
        var action = verdict.action.rawValue
        if verdict.action == .dunno, let header = verdict.headers.first {
            action = "PREPEND " + unfolded(header)
        } else if !verdict.text.isEmpty && verdict.action != .ok && verdict.action != .dunno {
            action += " " + singleLine(verdict.text)
        }
        return Array("action=\(action)\n\n".utf8)
    }

    /// A reply to a request that is not `smtpd_access_policy`: no opinion.
    public static let dunno: [UInt8] = Array("action=DUNNO\n\n".utf8)

    static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// A folded header field on one line (Postfix folds PREPENDed fields itself).
    static func unfolded(_ field: String) -> String {
        field.replacingOccurrences(of: "\r\n", with: "").replacingOccurrences(of: "\n", with: "")
    }
}
