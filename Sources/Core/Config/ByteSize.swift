/// A size from the configuration file: an integer number of bytes, or a string
/// `"<n>K"`, `"<n>M"`, `"<n>G"` with binary multiples (1K = 1024 bytes); the unit letter
/// may be lower case, and a string of digits alone is bytes.
public struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Bytes, never negative.
    public var bytes: Int64

    public init(bytes: Int64) {
        self.bytes = bytes
    }

    public static func kibibytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n * 1024) }
    public static func mebibytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n * 1024 * 1024) }
    public static func gibibytes(_ n: Int64) -> ByteSize { ByteSize(bytes: n * 1024 * 1024 * 1024) }

    /// The form the configuration file accepts, for error messages.
    public static let expectedForm = "a size: an integer number of bytes or a string like \"512K\", \"50M\", \"1G\""

    /// Parses `"<n>"`, `"<n>K"`, `"<n>M"`, `"<n>G"`; nil when malformed or overflowing.
    public init?(parsing text: String) {
        var scalars = Array(text.unicodeScalars)
        guard let last = scalars.last else { return nil }
        var multiplier: Int64 = 1
        switch last {
        case "K", "k": multiplier = 1024
        case "M", "m": multiplier = 1024 * 1024
        case "G", "g": multiplier = 1024 * 1024 * 1024
        default: break
        }
        if multiplier != 1 { scalars.removeLast() }
        guard let count = parseDecimal(scalars) else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { return nil }
        self.bytes = product
    }

    /// Shortest exact form: "50M", "1G", "1000".
    public var description: String {
        let units: [(Int64, String)] = [(1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")]
        for (size, suffix) in units where bytes != 0 && bytes % size == 0 {
            return "\(bytes / size)\(suffix)"
        }
        return "\(bytes)"
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool {
        lhs.bytes < rhs.bytes
    }
}
