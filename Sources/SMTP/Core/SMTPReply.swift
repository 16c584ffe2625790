/// An RFC 3463 enhanced mail system status code `class.subject.detail`, sent in front of reply
/// text once ENHANCEDSTATUSCODES is in use (RFC 2034 §3).
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

/// One SMTP reply (RFC 5321 §4.2): a three-digit code, an optional enhanced status code and one or
/// more lines of text.
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var enhancedStatus: SMTPEnhancedStatusCode?
    public var lines: [String]

    public init(code: Int, enhancedStatus: SMTPEnhancedStatusCode? = nil, lines: [String]) {
        self.code = code
        self.enhancedStatus = enhancedStatus
        self.lines = lines
    }

    /// `SMTPReply(250, .init(2, 0, 0), "OK")`.
    public init(_ code: Int, _ enhancedStatus: SMTPEnhancedStatusCode?, _ text: String) {
        self.init(code: code, enhancedStatus: enhancedStatus, lines: [text])
    }

    /// 2yz: the requested action was completed (RFC 5321 §4.2.1).
    public var isPositiveCompletion: Bool { (200...299).contains(code) }
    /// 3yz: more input expected (354).
    public var isPositiveIntermediate: Bool { (300...399).contains(code) }
    /// 4yz: temporary failure, the client may retry.
    public var isTransientFailure: Bool { (400...499).contains(code) }
    /// 5yz: permanent failure.
    public var isPermanentFailure: Bool { (500...599).contains(code) }

    /// The wire form: `250-first`, `250-…`, `250 last`, each line ending in CRLF (RFC 5321 §4.2.1),
    /// the enhanced status code in front of every line's text (RFC 2034 §4). Control characters in
    /// the text are replaced by spaces so a reply can never split into extra lines.
    public func encode() -> [UInt8] {
        let texts = lines.isEmpty ? [""] : lines
        let codeText = String(code)
        var out: [UInt8] = []
        out.reserveCapacity(texts.reduce(0) { $0 + $1.utf8.count + 16 })
        for (index, raw) in texts.enumerated() {
            let isLast = index == texts.count - 1
            var text = SMTPReply.sanitize(raw)
            if let enhancedStatus {
                text = text.isEmpty ? enhancedStatus.description : "\(enhancedStatus) \(text)"
            }
            out.append(contentsOf: codeText.utf8)
            if !isLast {
                out.append(UInt8(ascii: "-"))
                out.append(contentsOf: text.utf8)
            } else if !text.isEmpty || code == 334 {
                // RFC 4954 §4: `continue-req = "334" SP [base64] CRLF` keeps the space even when
                // the challenge is empty.
                out.append(UInt8(ascii: " "))
                out.append(contentsOf: text.utf8)
            }
            out.append(13)
            out.append(10)
        }
        return out
    }

    public var description: String { String(decoding: encode(), as: UTF8.self) }

    private static func sanitize(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { asciiValue.map { (48...57).contains($0) } ?? false }
}
