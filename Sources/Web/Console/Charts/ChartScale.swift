/// The value axis of a chart: a top that is a round number at or above the largest value, and
/// gridlines at round steps (1, 2 or 5 × 10ⁿ, whole numbers since the charts count things).
struct ChartScale {
    let top: Int64
    let step: Int64

    init(largest: Int64, lines: Int64 = 4) {
        let target = max(1, (max(largest, 1) + lines - 1) / lines)
        var magnitude: Int64 = 1
        while magnitude * 10 <= target { magnitude *= 10 }
        let step = [1, 2, 5, 10].map { $0 * magnitude }.first { $0 >= target } ?? magnitude * 10
        self.step = step
        self.top = max(step, (max(largest, 1) + step - 1) / step * step)
    }

    /// The gridline values, 0 first.
    var ticks: [Int64] { Array(stride(from: 0, through: top, by: Int(step)).map { Int64($0) }) }

    /// How far up the plot `value` is, 0...1.
    func fraction(_ value: Int64) -> Double { Double(value) / Double(top) }
}
