import Core

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
