/// spamd's SPAMC/1.5 protocol (the `SYMBOLS` command): request head, then the message; the reply
/// is `SPAMD/1.x <code> <text>`, headers (`Spam: True ; 6.2 / 5.0`), a blank line and the
/// comma-separated names of the rules that hit.
public enum SpamcProtocol {
    public struct Reply: Sendable, Equatable {
        public var isSpam: Bool
        public var score: Double
        public var threshold: Double
        public var symbols: [String]
    }

    public enum Failure: Error, Sendable, Equatable {
        case malformed(String)
        /// spamd answered with a non-zero EX_ code.
        case refused(code: Int, text: String)
    }

    public static let maxReply = 64 * 1024

    /// The request head for a message of `length` bytes.
    public static func request(length: Int64, user: String?) -> [UInt8] {
        var head = "SYMBOLS SPAMC/1.5\r\nContent-length: \(length)\r\n"
        if let user { head += "User: \(user)\r\n" }
        return Array((head + "\r\n").utf8)
    }

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> Reply {
        guard bytes.count <= maxReply, let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("not UTF-8 or too long")
        }
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let status = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard status.count >= 2, status[0].hasPrefix("SPAMD/"), let code = Int(status[1]) else {
            throw .malformed("status line \(String(lines.first ?? "").prefix(80))")
        }
        guard code == 0 else { throw .refused(code: code, text: status.count == 3 ? String(status[2]) : "") }
        var spam: (Bool, Double, Double)?
        var index = 1
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            index += 1
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "spam" else { continue }
            spam = parseSpamHeader(line[line.index(after: colon)...])
        }
        guard let (isSpam, score, threshold) = spam else { throw .malformed("no Spam header") }
        let body = index + 1 < lines.count ? lines[(index + 1)...].joined(separator: "\r\n") : ""
        let symbols = body.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init).filter(isSymbolName)
        return Reply(isSpam: isSpam, score: score, threshold: threshold, symbols: symbols)
    }

    /// ` True ; 6.2 / 5.0`.
    static func parseSpamHeader(_ value: Substring) -> (Bool, Double, Double)? {
        let parts = value.split(separator: ";", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let flag = parts[0].trimmingCharacters(in: " ").lowercased()
        guard flag == "true" || flag == "yes" || flag == "false" || flag == "no" else { return nil }
        let numbers = parts[1].split(separator: "/").map { Double($0.trimmingCharacters(in: " ")) }
        guard numbers.count == 2, let score = numbers[0], let threshold = numbers[1], score.isFinite, threshold.isFinite
        else { return nil }
        return (flag == "true" || flag == "yes", score, threshold)
    }

    /// Rule names: letters, digits and `_`, as in SpamAssassin and rspamd.
    static func isSymbolName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
            }
    }
}

extension Substring {
    func trimmingCharacters(in character: Character) -> String { String(self).trimmingCharacters(in: character) }
}
