import Core

/// Incremental parser for server replies (RFC 5321 §4.2): `code-text CRLF` continuation lines,
/// `code SP text CRLF` (or bare `code CRLF`) final line. Bytes may arrive split anywhere.
public struct SMTPClientReplyParser: Sendable {
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case lineTooLong
        case tooManyLines
        case malformedLine
        case inconsistentCode

        public var description: String {
            switch self {
            case .lineTooLong: "reply line too long"
            case .tooManyLines: "too many lines in one reply"
            case .malformedLine: "malformed reply line"
            case .inconsistentCode: "reply lines with different codes"
            }
        }
    }

    public let maxLineLength: Int
    public let maxLines: Int
    private var buffer: [UInt8] = []
    /// Lines of the reply being assembled (code, raw text after the separator).
    private var pendingLines: [String] = []
    private var pendingCode: Int?

    public init(maxLineLength: Int = 2048, maxLines: Int = 100) {
        self.maxLineLength = maxLineLength
        self.maxLines = maxLines
    }

    /// Bytes received and not yet part of a complete reply.
    public var hasBufferedInput: Bool { !buffer.isEmpty || pendingCode != nil }

    /// Appends `bytes` and returns every reply completed by them.
    public mutating func parse(_ bytes: [UInt8]) throws(ParseError) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        var start = 0
        var index = 0
        // Lines are cut at LF; a CR before it is dropped (bare-LF servers are tolerated).
        let scanFrom = buffer.count
        buffer.append(contentsOf: bytes)
        index = scanFrom
        while index < buffer.count {
            if buffer[index] == 10 {
                var end = index
                if end > start, buffer[end - 1] == 13 { end -= 1 }
                guard index + 1 - start <= maxLineLength else { throw .lineTooLong }
                if let reply = try line(buffer[start..<end]) { replies.append(reply) }
                start = index + 1
            }
            index += 1
        }
        buffer.removeFirst(start)
        guard buffer.count <= maxLineLength else { throw .lineTooLong }
        return replies
    }

    private mutating func line(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> SMTPReply? {
        guard bytes.count >= 3, bytes.prefix(3).allSatisfy({ (48...57).contains($0) }),
            (50...53).contains(bytes[bytes.startIndex]) || bytes[bytes.startIndex] == 49
        else { throw .malformedLine }
        let code =
            Int(bytes[bytes.startIndex] - 48) * 100 + Int(bytes[bytes.startIndex + 1] - 48) * 10
            + Int(bytes[bytes.startIndex + 2] - 48)
        if let pendingCode, pendingCode != code { throw .inconsistentCode }
        let separator: UInt8? = bytes.count > 3 ? bytes[bytes.startIndex + 3] : nil
        guard separator == nil || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw .malformedLine
        }
        let text = bytes.count > 4 ? String(decoding: bytes.dropFirst(4), as: UTF8.self) : ""
        pendingLines.append(text)
        pendingCode = code
        guard pendingLines.count <= maxLines else { throw .tooManyLines }
        guard separator != UInt8(ascii: "-") else { return nil }
        defer {
            pendingLines = []
            pendingCode = nil
        }
        return Self.makeReply(code: code, lines: pendingLines)
    }

    /// Takes an RFC 3463 enhanced status code off the front of every line when the first line has
    /// one whose class matches the reply code (RFC 2034 §4).
    static func makeReply(code: Int, lines: [String]) -> SMTPReply {
        guard let first = lines.first, let status = leadingStatus(first), status.statusClass == code / 100 else {
            return SMTPReply(code: code, lines: lines)
        }
        let stripped = lines.map { line -> String in
            let token = line.prefix(while: { $0 != " " })
            guard SMTPEnhancedStatusCode(parsing: String(token)) == status else { return line }
            return String(line.dropFirst(token.count).drop(while: { $0 == " " }))
        }
        return SMTPReply(code: code, enhancedStatus: status, lines: stripped)
    }

    private static func leadingStatus(_ line: String) -> SMTPEnhancedStatusCode? {
        SMTPEnhancedStatusCode(parsing: String(line.prefix(while: { $0 != " " })))
    }
}
