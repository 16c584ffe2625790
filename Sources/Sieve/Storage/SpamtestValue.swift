/// The content filter's verdict as RFC 3685 values, read from the `X-Spam-Status` field Posta
/// put on top of the message (`score=S required=R`).
enum SpamtestValue {
    /// RFC 3685 §2.3: 0 not tested, 1 certainly not spam … 10 certainly spam; the threshold (`S =
    /// R`) maps to 6, twice the threshold or more to 10.
    static func score(in prefix: [UInt8]) -> Int? {
        percent(in: prefix).map { 1 + Int((Double($0) * 9 / 100).rounded()) }
    }

    /// RFC 3685 §2.4 (spamtestplus `:percent`): 0 … 100, the threshold at 50.
    static func percent(in prefix: [UInt8]) -> Int? {
        guard let (score, required) = status(in: prefix), required > 0 else { return nil }
        return Int(min(100, max(0, score / (2 * required) * 100)).rounded())
    }

    /// `score` and `required` of the first `X-Spam-Status` field.
    static func status(in prefix: [UInt8]) -> (Double, Double)? {
        let text = String(decoding: prefix, as: UTF8.self)
        guard let line = text.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("x-spam-status:") }) else {
            return nil
        }
        func value(_ key: String) -> Double? {
            guard let range = line.range(of: key + "=") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 == "-" || $0 == "." || $0.isNumber })
        }
        guard let score = value("score"), let required = value("required") else { return nil }
        return (score, required)
    }

    /// Whether Posta's own verdict fields (`X-Spam-Flag: YES`) say spam.
    static func isSpam(_ fields: [UInt8]) -> Bool {
        String(decoding: fields, as: UTF8.self).split(separator: "\r\n").contains { line in
            line.lowercased().hasPrefix("x-spam-flag:")
                && line.dropFirst(12).trimmingCharacters(in: .whitespaces).uppercased() == "YES"
        }
    }
}
