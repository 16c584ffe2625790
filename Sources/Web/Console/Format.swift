import Core
import Foundation

/// How the console shows numbers and times.
enum Format {
    /// `1.5 GB`-style sizes (powers of 1024, as quotas are configured).
    static func bytes(_ value: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024 && unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        if unit == 0 { return "\(value) B" }
        let rounded = (amount * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[unit])" : "\(rounded) \(units[unit])"
    }

    /// `60,000`: digits grouped by threes.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    /// `1 message`, `60,000 messages`.
    static func count(_ value: Int, _ noun: String) -> String {
        value == 1 ? "1 \(noun)" : "\(count(value)) \(noun)s"
    }

    /// `2026-12-03 16:20 UTC` from Unix seconds.
    static func time(_ seconds: Int64?) -> String {
        guard let seconds else { return "never" }
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)) UTC"
    }

    /// Parses a quota as typed: bytes, or with a K/M/G/T suffix (powers of 1024); `0` or empty is
    /// unlimited. Nil when it is not a size.
    static func parseSize(_ text: String) -> Int64? {
        var digits = text.trimmingWhitespace().uppercased()
        if digits.isEmpty || digits == "UNLIMITED" { return 0 }
        if digits.hasSuffix("B") { digits.removeLast() }
        var multiplier: Int64 = 1
        if let last = digits.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][last] {
            multiplier = Int64(1) << (10 * power)
            digits.removeLast()
        }
        guard let number = Int64(digits.trimmingWhitespace()), number >= 0 else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// A size as a form shows it for editing: the largest exact unit (`2G`, `500M`), `0` for none.
    static func sizeInput(_ bytes: Int64) -> String {
        guard bytes > 0 else { return "0" }
        for (suffix, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] where bytes % (Int64(1) << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }

    /// Unix seconds at the start of a `YYYY-MM-DD` day (UTC), from a date input; nil otherwise.
    static func parseDay(_ text: String?) -> Int64? {
        text.flatMap(UnixTime.parseDay)
    }

    /// The percentage of a quota in use (0...100), nil when unlimited.
    static func percent(used: Int64, of quota: Int64) -> Int? {
        guard quota > 0 else { return nil }
        return Int(min(100, max(0, (Double(used) / Double(quota) * 100).rounded())))
    }
}
