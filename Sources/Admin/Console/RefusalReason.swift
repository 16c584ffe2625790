/// Readable words for the refusal keys the rollup counts (`mx 550 5.1.1`): the enhanced status
/// code's meaning (RFC 3463 §3, with the codes later RFCs registered), else the reply code's class.
public enum RefusalReason {
    /// `550 5.1.1` → "bad destination mailbox address"; the listener mode in front is skipped.
    public static func label(forKey key: String) -> String {
        let parts = key.split(separator: " ")
        if let status = parts.first(where: { $0.contains(".") }), let text = label(forStatus: String(status)) {
            return text
        }
        guard let code = parts.first(where: { $0.count == 3 && $0.allSatisfy(\.isNumber) }) else { return "other" }
        return code.hasPrefix("4") ? "temporary failure" : code.hasPrefix("5") ? "permanent failure" : "other"
    }

    /// The meaning of an enhanced status code `class.subject.detail`, without its class; nil
    /// when the text is not one.
    public static func label(forStatus status: String) -> String? {
        let parts = status.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]), let subject = Int(parts[1]), let detail = Int(parts[2])
        else { return nil }
        if let text = details[subject * 1000 + detail] { return text }
        return subjects[subject].map { "other \($0)" } ?? "other or undefined status"
    }

    /// RFC 3463 §3.1…§3.8: the subjects.
    static let subjects: [Int: String] = [
        0: "status", 1: "address status", 2: "mailbox status", 3: "mail system status", 4: "network or routing status",
        5: "mail delivery protocol status", 6: "message content or media status", 7: "security or policy status",
    ]

    /// subject × 1000 + detail → meaning: RFC 3463 §3, RFC 4954 §6 (X.5.6, X.7.8…X.7.12), RFC
    /// 7505 §4 (null MX), RFC 7372 §3 (email authentication).
    static let details: [Int: String] = [
        1001: "bad destination mailbox address", 1002: "bad destination system address",
        1003: "bad destination mailbox address syntax", 1004: "destination mailbox address ambiguous",
        1005: "destination address valid", 1006: "destination mailbox has moved",
        1007: "bad sender's mailbox address syntax", 1008: "bad sender's system address",
        1010: "recipient address has null MX",
        2001: "mailbox disabled, not accepting messages", 2002: "mailbox full",
        2003: "message length exceeds administrative limit", 2004: "mailing list expansion problem",
        3001: "mail system full", 3002: "system not accepting network messages",
        3003: "system not capable of selected features", 3004: "message too big for system",
        3005: "system incorrectly configured",
        4001: "no answer from host", 4002: "bad connection", 4003: "directory server failure",
        4004: "unable to route", 4005: "mail system congestion", 4006: "routing loop detected",
        4007: "delivery time expired",
        5001: "invalid command", 5002: "syntax error", 5003: "too many recipients", 5004: "invalid command arguments",
        5005: "wrong protocol version", 5006: "authentication exchange line too long",
        6001: "media not supported", 6002: "conversion required and prohibited",
        6003: "conversion required but not supported", 6004: "conversion with loss performed",
        6005: "conversion failed",
        7001: "delivery not authorized, message refused", 7002: "mailing list expansion prohibited",
        7003: "security conversion required but not possible", 7004: "security features not supported",
        7005: "cryptographic failure", 7006: "cryptographic algorithm not supported", 7007: "message integrity failure",
        7008: "authentication credentials invalid", 7009: "authentication mechanism too weak",
        7010: "encryption needed", 7011: "encryption required for requested authentication mechanism",
        7012: "password transition needed", 7020: "no passing DKIM signature found",
        7021: "no acceptable DKIM signature found", 7022: "no valid author-matched DKIM signature found",
        7023: "SPF validation failed", 7024: "SPF validation error", 7025: "reverse DNS validation failed",
        7026: "multiple authentication checks failed", 7027: "sender address has null MX",
    ]
}
