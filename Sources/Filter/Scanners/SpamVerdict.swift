import Core

/// The `X-Spam-*` header fields (`X-Spam-Flag`, `X-Spam-Score`, `X-Spam-Status` in
/// SpamAssassin's style), and a score judged with fixed thresholds.
struct SpamVerdict {
    let thresholds: FilterSettings.SpamThresholds
    let scanner: String

    func verdict(score: Double, required: Double, symbols: [String]) -> FilterVerdict {
        SpamDecision.verdict([
            SpamReport(
                scanner: scanner, score: score, required: required, symbols: symbols, thresholds: thresholds
            )
        ])
    }

    static func headers(_ report: SpamReport, junkAt: Double, isSpam: Bool) -> [String] {
        let score = format(report.score)
        return [
            "X-Spam-Flag: \(isSpam ? "YES" : "NO")",
            "X-Spam-Score: \(score)",
            fold(
                "X-Spam-Status: \(isSpam ? "Yes" : "No"), score=\(score) required=\(format(junkAt)) scanner=\(report.scanner) tests=",
                report.symbols),
        ]
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
