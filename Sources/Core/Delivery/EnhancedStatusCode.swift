/// An RFC 3463 enhanced mail system status code `class.subject.detail`, sent in front of reply
/// text once ENHANCEDSTATUSCODES is in use (RFC 2034 §3) and in a DSN's `Status:` field
/// (RFC 3464 §2.3.4). In Core because the queue and DSNs keep it as well as SMTP.
public struct SMTPEnhancedStatusCode: Sendable, Hashable, CustomStringConvertible {
    /// 2 (success), 4 (persistent transient failure) or 5 (permanent failure), RFC 3463 §3.1.
    public let statusClass: Int
    public let subject: Int
    public let detail: Int

    public init(_ statusClass: Int, _ subject: Int, _ detail: Int) {
        self.statusClass = statusClass
        self.subject = subject
        self.detail = detail
    }

    /// Parses `"5.1.1"`; nil unless it has the RFC 3463 §2 shape (class 2/4/5, 1–3 digit fields).
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCIIDigit) }),
            let c = Int(parts[0]), [2, 4, 5].contains(c), let s = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(c, s, d)
    }

    public var description: String { "\(statusClass).\(subject).\(detail)" }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { asciiValue.map { (48...57).contains($0) } ?? false }
}
