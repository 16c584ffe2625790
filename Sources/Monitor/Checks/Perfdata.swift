import Foundation

/// One performance data item, `'label'=value[UOM];[warn];[crit];[min];[max]` (Monitoring Plugins
/// guidelines, "Performance data"), written after the `|` of a check's status line.
public struct Perfdata: Sendable, Equatable, CustomStringConvertible {
    /// The units the guidelines allow.
    public enum Unit: String, Sendable, CaseIterable {
        /// A plain number (a count, a load average).
        case none = ""
        case seconds = "s"
        case percent = "%"
        case bytes = "B"
        case kilobytes = "KB"
        case megabytes = "MB"
        case gigabytes = "GB"
        case terabytes = "TB"
        /// A continuous counter.
        case counter = "c"
    }

    public var label: String
    public var value: Double
    public var unit: Unit
    public var warning: ThresholdRange?
    public var critical: ThresholdRange?
    public var min: Double?
    public var max: Double?

    public init(
        _ label: String, _ value: Double, unit: Unit = .none, thresholds: Thresholds = .init(), min: Double? = nil,
        max: Double? = nil
    ) {
        self.label = label
        self.value = value
        self.unit = unit
        self.warning = thresholds.warning
        self.critical = thresholds.critical
        self.min = min
        self.max = max
    }

    /// The item as the guidelines write it; empty trailing fields (and their `;`) are left out.
    public var description: String {
        var fields = [
            Self.number(value) + unit.rawValue, warning?.description ?? "", critical?.description ?? "",
            min.map(Self.number) ?? "", max.map(Self.number) ?? "",
        ]
        while fields.count > 1, fields.last == "" { fields.removeLast() }
        return Self.quotedLabel(label) + "=" + fields.joined(separator: ";")
    }

    /// The label, in single quotes when it has a space, `=` or `'` (a `'` inside doubled), as the
    /// guidelines require; other labels stay bare.
    static func quotedLabel(_ label: String) -> String {
        guard label.contains(where: { $0 == " " || $0 == "=" || $0 == "'" }) else { return label }
        return "'" + label.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A number in the guidelines' alphabet (`-`, digits, `.`): no exponent, at most 6 decimals,
    /// no trailing zeros. Non-finite values (which no probe should produce) become 0.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if abs(value) >= 1e15 { return String(format: "%.0f", value) }
        if value == value.rounded() { return String(Int64(value)) }
        let scaled = (value * 1_000_000).rounded()
        let negative = scaled < 0
        let magnitude = UInt64(abs(scaled))
        var fraction = String(magnitude % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let whole = String(magnitude / 1_000_000)
        return (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
    }
}
