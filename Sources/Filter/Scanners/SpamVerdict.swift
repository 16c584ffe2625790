import Core

/// Turns a spam score into the chain's verdict and the `X-Spam-*` header fields
/// (`X-Spam-Flag`, `X-Spam-Score`, `X-Spam-Status` in SpamAssassin's style).
struct SpamVerdict {
    let thresholds: FilterSettings.SpamThresholds
    let scanner: String

    func verdict(score: Double, required: Double, symbols: [String]) -> FilterVerdict {
        let junkAt = thresholds.junk ?? required
        let isSpam = score >= junkAt
        let formatted = Self.format(score)
        let headers = [
            "X-Spam-Flag: \(isSpam ? "YES" : "NO")",
            "X-Spam-Score: \(formatted)",
            Self.fold("X-Spam-Status: \(isSpam ? "Yes" : "No"), score=\(formatted) required=\(Self.format(junkAt)) scanner=\(scanner) tests=", symbols),
        ]
        if let reject = thresholds.reject, score >= reject {
            return .reject(FilterReply(554, "5.7.1", "Message rejected as spam (score \(formatted))"))
        }
        if let quarantine = thresholds.quarantine, score >= quarantine {
            return .quarantine(reason: "spam: score \(formatted) (\(scanner))", headers: headers)
        }
        if isSpam && thresholds.junkFolder { return .junk(headers: headers) }
        return .accept(headers: headers)
    }

    /// One decimal, like SpamAssassin.
    static func format(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        let sign = tenths < 0 ? "-" : ""
        let magnitude = Int(abs(tenths))
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    /// `prefix` followed by the comma-separated `symbols`, folded before 78 columns.
    static func fold(_ prefix: String, _ symbols: [String]) -> String {
        var lines = [prefix]
        for (index, symbol) in symbols.prefix(100).enumerated() {
            let piece = symbol + (index < min(symbols.count, 100) - 1 ? "," : "")
            if lines[lines.count - 1].utf8.count + piece.utf8.count > 76, lines[lines.count - 1] != prefix {
                lines.append("\t" + piece)
            } else {
                lines[lines.count - 1] += piece
            }
        }
        if symbols.isEmpty { lines[0] += "none" }
        return lines.joined(separator: "\r\n")
    }
}
