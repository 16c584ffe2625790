/// A duration from the configuration file: an integer number of seconds, or a string
/// `"<n>s"`, `"<n>m"`, `"<n>h"`, `"<n>d"` (`"30s"`, `"5m"`, `"4h"`, `"5d"`).
public struct ConfigDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds, never negative.
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    public static func seconds(_ n: Int64) -> ConfigDuration { ConfigDuration(seconds: n) }
    public static func minutes(_ n: Int64) -> ConfigDuration { ConfigDuration(seconds: n * 60) }
    public static func hours(_ n: Int64) -> ConfigDuration { ConfigDuration(seconds: n * 3600) }
    public static func days(_ n: Int64) -> ConfigDuration { ConfigDuration(seconds: n * 86400) }

    /// The same span as a Swift `Duration`.
    public var duration: Duration { .seconds(seconds) }

    /// The form the configuration file accepts, for error messages.
    public static let expectedForm = "a duration: an integer number of seconds or a string like \"30s\", \"5m\", \"4h\", \"5d\""

    /// Parses `"<n>s|m|h|d"`; nil when malformed or overflowing.
    public init?(parsing text: String) {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2, let unit = scalars.last else { return nil }
        let multiplier: Int64
        switch unit {
        case "s": multiplier = 1
        case "m": multiplier = 60
        case "h": multiplier = 3600
        case "d": multiplier = 86400
        default: return nil
        }
        guard let count = parseDecimal(scalars.dropLast()) else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        self.seconds = product
    }

    /// Shortest exact form: "5m", "90s", "2d".
    public var description: String {
        if seconds != 0 && seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds != 0 && seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds != 0 && seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    public static func < (lhs: ConfigDuration, rhs: ConfigDuration) -> Bool {
        lhs.seconds < rhs.seconds
    }
}

/// ASCII digits only (no sign, no spaces, no underscores); nil when empty or overflowing Int64.
func parseDecimal<S: Collection>(_ scalars: S) -> Int64? where S.Element == Unicode.Scalar {
    guard !scalars.isEmpty else { return nil }
    var value: Int64 = 0
    for scalar in scalars {
        guard scalar >= "0" && scalar <= "9" else { return nil }
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times10.addingReportingOverflow(Int64(scalar.value - 48))
        guard !o1, !o2 else { return nil }
        value = sum
    }
    return value
}
