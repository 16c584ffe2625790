import Foundation

/// rspamd's normal worker HTTP API: `POST /checkv2` with the message as the body and the
/// envelope in headers; the reply is JSON with `score`, `required_score`, `action`, `symbols`.
public enum RspamdProtocol {
    public struct Reply: Sendable, Equatable {
        public var score: Double
        public var requiredScore: Double
        /// `no action`, `greylist`, `add header`, `rewrite subject`, `soft reject` or `reject`.
        public var action: String
        public var symbols: [String]
    }

    public enum Failure: Error, Sendable, Equatable {
        case malformed(String)
        case httpStatus(Int)
    }

    public static let maxReply = 1024 * 1024

    /// The request head for a message of `length` bytes.
    public static func request(host: String, length: Int64, message: FilterMessage, password: String?) -> [UInt8] {
        var lines = [
            "POST /checkv2 HTTP/1.1", "Host: \(host)", "Connection: close", "Content-Length: \(length)",
            "IP: \(clean(message.clientIP))", "Helo: \(clean(message.heloName))", "From: \(clean(message.sender))",
        ]
        lines += message.recipients.map { "Rcpt: \(clean($0))" }
        if let user = message.authenticatedUser { lines.append("User: \(clean(user))") }
        if let password { lines.append("Password: \(clean(password))") }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Header values must not break the request.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> Reply {
        guard bytes.count <= maxReply else { throw .malformed("reply too long") }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headEnd = bytes.firstRange(of: separator),
            let head = String(validating: bytes[..<headEnd.lowerBound], as: UTF8.self)
        else { throw .malformed("no HTTP header") }
        let lines = head.split(separator: "\r\n")
        let status = lines.first?.split(separator: " ") ?? []
        guard status.count >= 2, status[0].hasPrefix("HTTP/1."), let code = Int(status[1]) else {
            throw .malformed("status line")
        }
        guard code == 200 else { throw .httpStatus(code) }
        let chunked = lines.dropFirst().contains {
            $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked")
        }
        var body = Array(bytes[headEnd.upperBound...])
        if chunked { body = try dechunk(body) }
        return try decode(body)
    }

    /// HTTP/1.1 chunked transfer coding.
    static func dechunk(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        let crlf: [UInt8] = [0x0D, 0x0A]
        while true {
            guard let lineEnd = bytes[index...].firstRange(of: crlf),
                let sizeText = String(validating: bytes[index..<lineEnd.lowerBound], as: UTF8.self),
                let size = Int(sizeText.split(separator: ";")[0].trimmingCharacters(in: " "), radix: 16), size >= 0,
                lineEnd.upperBound + size <= bytes.count
            else { throw .malformed("chunked body") }
            if size == 0 { return out }
            out += bytes[lineEnd.upperBound..<lineEnd.upperBound + size]
            index = lineEnd.upperBound + size + 2
            guard index <= bytes.count else { throw .malformed("chunked body") }
        }
    }

    private struct Body: Decodable {
        struct Symbol: Decodable { var name: String? }
        var score: Double
        var requiredScore: Double?
        var action: String?
        var symbols: [String: Symbol]?

        enum CodingKeys: String, CodingKey {
            case score, action, symbols
            case requiredScore = "required_score"
        }
    }

    static func decode(_ json: [UInt8]) throws(Failure) -> Reply {
        let body: Body
        do {
            body = try JSONDecoder().decode(Body.self, from: Data(json))
        } catch {
            throw .malformed("JSON: \(error)")
        }
        guard body.score.isFinite else { throw .malformed("score") }
        let symbols = (body.symbols ?? [:]).keys.sorted().filter(SpamcProtocol.isSymbolName)
        return Reply(
            score: body.score, requiredScore: body.requiredScore ?? 15, action: body.action ?? "no action",
            symbols: symbols)
    }
}
